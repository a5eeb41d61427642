import http from 'node:http';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { StreamLocalAgent, asHttpSocket } from '../../../src/remote/docker-agent.js';
import { createDockerClient } from '../../../src/remote/docker-client.js';
import { engineSocket } from '../support/engine-socket.js';

// A fake engine on a local Unix socket, reached through plain Duplex streams that, like ssh2
// channels, have none of net.Socket's extra methods.
const seen: string[] = [];
const { socketPath } = engineSocket((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  if (req.url === '/hang') return;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ Version: '27.0.0', ApiVersion: '1.46' }));
});

function channel(): Duplex {
  const socket = net.connect(socketPath);
  const duplex = new Duplex({
    read() {},
    write(chunk, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk) => duplex.push(chunk));
  socket.on('end', () => duplex.push(null));
  return duplex;
}

describe('createDockerClient over StreamLocalAgent', () => {
  it('sends dockerode requests through the opened channel, one channel per request', async () => {
    let opened = 0;
    const docker = createDockerClient(async () => (opened++, channel()), '/var/run/docker.sock');
    await Promise.all([docker.version(), docker.version(), docker.ping()]);
    expect(opened).toBe(3);
    expect(seen).toContain('GET /version');
  });

  it("ignores the operator's DOCKER_HOST", async () => {
    const saved = process.env['DOCKER_HOST'];
    process.env['DOCKER_HOST'] = 'tcp://127.0.0.1:1';
    try {
      const docker = createDockerClient(async () => channel(), '/var/run/docker.sock');
      expect((await docker.version()).Version).toBe('27.0.0');
    } finally {
      if (saved === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = saved;
    }
  });

  it('passes the HealError of a failed channel open through dockerode unchanged', async () => {
    const failure = new HealError({ code: 'docker.not-running', message: 'Docker engine on web-01 is not running' });
    const docker = createDockerClient(() => Promise.reject(failure), '/var/run/docker.sock');
    await expect(docker.version()).rejects.toBe(failure);
  });
});

describe('asHttpSocket', () => {
  it('gives a bare Duplex the socket methods http calls', () => {
    const socket = asHttpSocket(new Duplex({ read() {}, write: (_c, _e, cb) => cb() })) as Duplex &
      Record<string, unknown>;
    for (const method of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref'])
      expect(typeof socket[method]).toBe('function');
  });

  it('makes request timeouts work on a channel with no setTimeout of its own', async () => {
    const agent = new StreamLocalAgent(async () => channel());
    const timedOut = await new Promise<boolean>((resolve) => {
      const req = http.request({ socketPath: '/ignored', path: '/hang', agent });
      req.setTimeout(100, () => {
        req.destroy();
        resolve(true);
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(timedOut).toBe(true);
  });
});

describe("the agent in docker-modem's request description", () => {
  it('is described in one line, not walked with its channels and the SSH client behind them', () => {
    const agent = new StreamLocalAgent(
      async () =>
        new Duplex({
          read() {},
          write(_c, _e, cb) {
            cb();
          },
        }),
    );
    // What docker-modem builds for every request, whether its debug log is on or not.
    const text = inspect({ path: '/v1.41/containers/json', method: 'GET', agent }, { showHidden: true, depth: null });
    expect(text).toContain('StreamLocalAgent (Docker socket over SSH)');
    expect(text.length).toBeLessThan(300);
  });
});
