import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { get } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHosts, tunnelPhase, type OpenContext } from '../../../src/phases/open/open.js';
import { HealError } from '../../../src/core/errors.js';
import { logins } from '../../../src/commands/credentials.js';
import { generateSecrets, saveState } from '../../../src/state/state-file.js';
import { runCli } from '../../support/run-cli.js';
import { closedPort } from '../../support/closed-port.js';
import { fakeStack, recordingIo, topology } from '../support/fake-stack.js';

/** A stand-in for Grafana: answers every request with its path. */
function service(): Promise<Server> {
  const server = createServer((socket) => {
    socket.once('data', (d) => {
      const path = String(d).split(' ')[1];
      socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${String(path).length}\r\nConnection: close\r\n\r\n${path}`);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += String(d)));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function context(stop: AbortSignal, localPort: number): Promise<{ ctx: OpenContext; ready: Promise<string> }> {
  const stack = fakeStack();
  const t = topology();
  const hosts = openHosts(t, 'grafana');
  await stack.connect(hosts.hosts);
  const grafana = await service();
  servers.push(grafana);
  const port = (grafana.address() as AddressInfo).port;
  // The app host's session reaches "Grafana": here, the stand-in on this machine.
  stack.app.tunnelTo = async () => connect(port, '127.0.0.1');
  let told: (url: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (told = resolve));
  return {
    ctx: {
      topology: t,
      connect: stack.connect,
      hosts,
      service: 'grafana',
      localPort,
      onReady: (r) => told(r.url),
      stop,
    },
    ready,
  };
}

describe('open', () => {
  it('carries local connections to the service through the host, on loopback, until stopped', async () => {
    const stop = new AbortController();
    const { ctx, ready } = await context(stop.signal, await closedPort());
    const running = tunnelPhase.run(ctx, recordingIo());
    const url = await ready;
    expect(url).toBe(`http://127.0.0.1:${ctx.localPort}`);
    expect(await fetchText(`${url}/api/health`)).toBe('/api/health');
    expect(ctx.hosts.hosts.map((h) => h.name)).toEqual(['app-01']);
    stop.abort();
    expect(await running).toBe('Grafana closed');
    await expect(fetchText(`${url}/api/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('names a local port in use and the flag to choose another', async () => {
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as AddressInfo).port;
    const { ctx } = await context(new AbortController().signal, port);
    const error = await tunnelPhase.run(ctx, recordingIo()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealError);
    expect((error as HealError).code).toBe('open.port');
    expect((error as HealError).message).toContain(`127.0.0.1:${port}`);
    expect((error as HealError).hint).toContain(`--port ${port + 1}`);
  });
});

describe('credentials', () => {
  it('gives each login, or only the one asked for', () => {
    const secrets = generateSecrets();
    expect(logins(secrets).map((l) => l.service)).toEqual(['grafana', 'minio']);
    expect(logins(secrets, 'minio')).toEqual([
      {
        service: 'minio',
        user: secrets.minioAccessKey,
        password: secrets.minioSecretKey,
        open: 'heal-pyroscope open minio',
      },
    ]);
  });

  it('prints them to a terminal or as --json, and refuses a pipe without printing a secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heal-credentials-'));
    writeFileSync(
      join(dir, 'heal-pyroscope.yaml'),
      'environment: lab\nssh: { user: root, identityFile: /dev/null }\nhosts: { targets: [t], web: w, app: a, db: d }\n',
    );
    const secrets = generateSecrets();
    await saveState(join(dir, '.heal-pyroscope', 'lab.state.json'), { version: 1, environment: 'lab', secrets });
    const piped = await runCli(['credentials'], { cwd: dir });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('only to a terminal');
    expect(piped.stdout + piped.stderr).not.toContain(secrets.grafanaAdminPassword);
    const tty = await runCli(['credentials', 'grafana'], { cwd: dir, tty: true });
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stdout).toContain(secrets.grafanaAdminPassword);
    expect(tty.stdout).not.toContain(secrets.minioSecretKey);
    const json = await runCli(['--json', 'credentials'], { cwd: dir });
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { logins: unknown[] }).logins).toHaveLength(2);
  });
});
