import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkIdentityFiles, inspectIdentityFile } from '../../../src/remote/identity-file.js';
import { runCli } from '../../support/run-cli.js';

// Real keys, written by ssh-keygen as an operator's would be.
const dir = mkdtempSync(join(tmpdir(), 'heal-keys-'));
const keygen = (name: string, passphrase = '') => {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', join(dir, name)]);
  return join(dir, name);
};
const plain = keygen('id_plain');
const encrypted = keygen('id_encrypted', 'right horse');
const directory = join(dir, 'keys.d');
mkdirSync(directory);
const garbage = join(dir, 'garbage');
writeFileSync(garbage, 'this is not a key\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('identity files', () => {
  it('accepts a private key, and an encrypted one (its passphrase is asked later)', async () => {
    expect(await inspectIdentityFile(plain)).toBeUndefined();
    expect(await inspectIdentityFile(encrypted)).toBeUndefined();
  });

  it('names a missing file', async () => {
    expect(await inspectIdentityFile(join(dir, 'id_nope'))).toMatchObject({
      kind: 'missing',
      message: `identity file ${join(dir, 'id_nope')} does not exist`,
    });
  });

  it('names a directory given as a key', async () => {
    expect(await inspectIdentityFile(directory)).toMatchObject({
      kind: 'directory',
      message: `identity file ${directory} is a directory, not a private key`,
    });
  });

  it('names a file that cannot be read, with its error', async () => {
    const denied = async () => {
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
    };
    expect(await inspectIdentityFile(plain, denied)).toMatchObject({
      kind: 'unreadable',
      message: `cannot read identity file ${plain} (EACCES)`,
    });
  });

  it('names a public key given as the private key, pointing to the private one beside it', async () => {
    expect(await inspectIdentityFile(`${plain}.pub`)).toEqual({
      path: `${plain}.pub`,
      kind: 'public',
      message: `identity file ${plain}.pub is a public key, not a private key`,
      hint: `use ${plain} (the private key is the file without .pub)`,
    });
  });

  it('names a file that is no key at all', async () => {
    expect(await inspectIdentityFile(garbage)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining(`identity file ${garbage} is not a private key`),
    });
  });

  it('refuses a bad configured key as a usage error naming the hosts that use it', async () => {
    const error = await checkIdentityFiles([
      { host: 'web-01', path: `${plain}.pub` },
      { host: 'app-01', path: `${plain}.pub` },
      { host: 'db-01', path: plain },
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ssh.key.public',
      exitCode: 2,
      message: `identity file ${plain}.pub is a public key, not a private key`,
      details: [`${plain}.pub is the identity file of web-01, app-01`, 'no host was contacted'],
    });
    await expect(checkIdentityFiles([{ host: 'web-01', path: plain }])).resolves.toBeUndefined();
  });

  it('ends a command with exit 2 before any host is contacted', async () => {
    const connections: string[] = [];
    const sshd = createServer((socket) => {
      connections.push(String(socket.remotePort));
      socket.destroy();
    });
    await new Promise<void>((done) => sshd.listen(0, '127.0.0.1', done));
    try {
      const { port } = sshd.address() as { port: number };
      const config = join(dir, 'heal-pyroscope.yaml');
      const host = `{ host: 127.0.0.1, port: ${port}, name: HOST }`;
      writeFileSync(
        config,
        `environment: lab\nssh:\n  user: root\n  identityFile: ${plain}.pub\n  agent: false\n  knownHostsFile: ${join(dir, 'known_hosts')}\nhosts:\n  targets:\n    - ${host.replace('HOST', 't-01')}\n  web: ${host.replace('HOST', 'web-01')}\n  app: ${host.replace('HOST', 'app-01')}\n  db: ${host.replace('HOST', 'db-01')}\n`,
      );
      const r = await runCli(['preflight', '--config', config, '--yes'], { cwd: dir, env: { CI: 'true' } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error: identity file ${plain}.pub is a public key, not a private key`);
      expect(r.stderr).toContain(`hint: use ${plain} (the private key is the file without .pub)`);
      expect(connections).toEqual([]);
    } finally {
      await new Promise((done) => sshd.close(done));
    }
  });
});
