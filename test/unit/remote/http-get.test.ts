import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from '../../../src/remote/http-get.js';
import type { SshSession } from '../../../src/remote/index.js';

/** A session whose channels all lead to `port` on loopback, whatever address is asked for. */
function sessionTo(port: number, asked: string[]): SshSession {
  return {
    target: { name: 'target-01' },
    forwardOut: (host: string, p: number) => {
      asked.push(`${host}:${p}`);
      return Promise.resolve(net.connect(port, '127.0.0.1'));
    },
  } as unknown as SshSession;
}

describe('httpGet over a host channel', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the request through the session channel, never straight from this machine', async () => {
    const asked: string[] = [];
    // 192.0.2.1 (TEST-NET-1) is not reachable from here: only the channel can answer.
    const answer = await httpGet(sessionTo(port, asked), '192.0.2.1', 9940, '/ingest?name=x', {
      method: 'POST',
      body: 'a;b 1\n',
      timeoutMs: 3000,
    });
    expect(asked).toEqual(['192.0.2.1:9940']);
    expect(answer).toEqual({ status: 200, body: 'POST /ingest?name=x a;b 1\n' });
  });

  it('tells a channel that never opens (a blocked flow) from a server that never answers', async () => {
    const never = { target: { name: 'target-01' }, forwardOut: () => new Promise(() => {}) } as unknown as SshSession;
    await expect(httpGet(never, '192.0.2.1', 9940, '/', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'remote.connect-timeout',
    });
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      await expect(
        httpGet(sessionTo((silent.address() as AddressInfo).port, []), '192.0.2.1', 9940, '/', { timeoutMs: 200 }),
      ).rejects.toMatchObject({ code: 'remote.http-timeout' });
    } finally {
      silent.close();
    }
  });
});
