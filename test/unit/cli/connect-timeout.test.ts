import { utils } from 'ssh2';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withConnectTimeout } from '../../../src/console/connect.js';
import type { SshTarget } from '../../../src/remote/index.js';
import { runCli } from '../../support/run-cli.js';

const target = (name: string, jump?: SshTarget): SshTarget => ({
  name,
  host: `${name}.internal`,
  port: 22,
  user: 'deploy',
  knownHostsFile: '/k',
  dockerSocket: '/var/run/docker.sock',
  ...(jump ? { jump } : {}),
});

describe('--connect-timeout SECONDS', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets) s.destroy();
    server?.close();
  });

  it('is refused outside 1-600 as a usage error naming the flag', async () => {
    for (const value of ['0', '601', '1.5', 'ten']) {
      const r = await runCli(['preflight', '--connect-timeout', value]);
      expect(r.code, value).toBe(2);
      expect(r.stderr, value).toContain("option '--connect-timeout <seconds>' argument");
      expect(r.stderr, value).toContain(`${JSON.stringify(value)} is not a number of seconds from 1 to 600`);
    }
  });

  it('is shown in the help of every command that reaches hosts, and not in init', async () => {
    for (const command of ['preflight', 'install', 'uninstall', 'status'])
      expect((await runCli([command, '--help'])).stdout, command).toContain('--connect-timeout <seconds>');
    expect((await runCli(['init', '--help'])).stdout).not.toContain('--connect-timeout');
  });

  it('bounds the TCP connection and the handshake of a host and of each jump host in front of it', () => {
    const bounded = withConnectTimeout(target('inner-01', target('bastion-02', target('bastion-01'))), 5);
    for (let t: SshTarget | undefined = bounded; t; t = t.jump)
      expect(t).toMatchObject({ connectTimeoutMs: 5000, readyTimeoutMs: 5000 });
    expect(withConnectTimeout(target('web-01'), undefined)).toEqual(target('web-01'));
  });

  it('reaches the transport: a silent server on loopback fails the handshake after that many seconds', async () => {
    server = createServer((socket) => sockets.push(socket)); // accepts, never speaks SSH
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'hp-timeout-'));
    writeFileSync(join(dir, 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    writeFileSync(join(dir, 'known_hosts'), '');
    const started = Date.now();
    const r = await runCli(
      [
        'preflight',
        '--json',
        '--environment',
        'staging',
        '--target',
        '127.0.0.1',
        '--web',
        '127.0.0.1',
        '--app',
        '127.0.0.1',
        '--db',
        '127.0.0.1',
        '--ssh-user',
        'deploy',
        '--ssh-port',
        String(port),
        '--identity-file',
        join(dir, 'id'),
        '--known-hosts',
        join(dir, 'known_hosts'),
        '--connect-timeout',
        '1',
      ],
      { cwd: dir },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('did not finish within 1 s');
  }, 30_000);
});
