import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, ParsedKey } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../../src/remote/auth.js';
import { Deadline } from '../../../src/remote/deadline.js';
import { identitiesOnlyAgent, identityBlobs } from '../../../src/remote/identities-only.js';
import { InteractionGate, nonInteractive } from '../../../src/remote/interaction.js';
import type { SshTarget } from '../../../src/remote/target.js';

const dir = mkdtempSync(join(tmpdir(), 'heal-idonly-'));
function key(name: string, passphrase?: string): string {
  const pair = ssh2.utils.generateKeyPairSync(
    'ed25519',
    passphrase ? { passphrase, cipher: 'aes256-ctr', rounds: 1 } : {},
  );
  const path = join(dir, name);
  writeFileSync(path, pair.private, { mode: 0o600 });
  writeFileSync(`${path}.pub`, `${pair.public}\n`);
  return path;
}
const chosen = key('chosen');
const other = key('other');
const publicBlob = (path: string) => (ssh2.utils.parseKey(readFileSync(`${path}.pub`)) as ParsedKey).getPublicSSH();

const hasAgent = (() => {
  try {
    execFileSync('ssh-add', ['--help'], { stdio: 'ignore' });
  } catch (error) {
    return (error as { status?: number }).status !== undefined;
  }
  return true;
})();

describe('identity blobs', () => {
  it('reads the public key beside each identity file, or from the private key, and skips what it cannot know', async () => {
    const encrypted = key('encrypted', 'secret');
    rmSync(`${encrypted}.pub`);
    const alone = key('alone');
    rmSync(`${alone}.pub`);
    const blobs = await identityBlobs([chosen, encrypted, alone, '/nonexistent/key']);
    expect(blobs).toHaveLength(2);
    expect(blobs[0]!.equals(publicBlob(chosen))).toBe(true);
  });
});

describe.skipIf(!hasAgent)('IdentitiesOnly with a running ssh-agent', () => {
  const socket = join(dir, 'agent.sock');
  let agent: ChildProcess;
  /** ssh-add, asked again for up to 5 s: under load the agent may not answer yet (CI once failed a second ssh-add). */
  async function sshAdd(args: string[], ok: (status: number) => boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        execFileSync('ssh-add', args, { env: { SSH_AUTH_SOCK: socket }, stdio: ['ignore', 'ignore', 'pipe'] });
        return;
      } catch (error) {
        const failed = error as { status?: number; stderr?: Buffer };
        if (failed.status !== undefined && failed.status !== null && ok(failed.status)) return;
        if (attempt >= 50)
          throw new Error(`ssh-add ${args.join(' ')} failed: ${failed.stderr?.toString().trim() ?? String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  beforeAll(async () => {
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    for (let i = 0; i < 250 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    // `ssh-add -l` exits 1 when the agent answers with no keys, 2 when it cannot be reached.
    await sshAdd(['-l'], (status) => status === 1);
    for (const k of [chosen, other]) await sshAdd([k], () => false);
  }, 30_000);
  afterAll(() => {
    agent?.kill();
  });

  it('lists only the keys of the identity files, of all the keys the agent holds', async () => {
    const all = await new Promise<ParsedKey[]>((resolve, reject) =>
      new ssh2.OpenSSHAgent(socket).getIdentities((err, keys) =>
        err ? reject(err) : resolve((keys ?? []) as ParsedKey[]),
      ),
    );
    expect(all).toHaveLength(2);
    const filtered = identitiesOnlyAgent(socket, await identityBlobs([chosen]));
    const keys = await new Promise<ParsedKey[]>((resolve, reject) =>
      filtered.getIdentities((err, k) => (err ? reject(err) : resolve((k ?? []) as ParsedKey[]))),
    );
    expect(keys.map((k) => k.getPublicSSH().toString('base64'))).toEqual([publicBlob(chosen).toString('base64')]);
  });

  const target: SshTarget = {
    name: 'web-01',
    host: '10.0.0.1',
    port: 22,
    user: 'heal',
    knownHostsFile: '/kh',
    dockerSocket: '/s',
  };
  const next = async (t: Partial<SshTarget>) => {
    const deadline = new Deadline(60_000, () => undefined);
    const auth = new Authenticator({
      target: { ...target, ...t },
      gate: new InteractionGate(nonInteractive),
      deadline,
      keyCache: new Map(),
      agentSocketFromEnv: socket,
    });
    const method = await new Promise<AnyAuthMethod | false>((resolve) =>
      auth.handler(['publickey'], false, (m) => resolve(m as AnyAuthMethod | false)),
    );
    deadline.clear();
    return { auth, method };
  };

  it('hands ssh2 the filtering agent when IdentitiesOnly is set, the plain socket otherwise', async () => {
    const only = await next({ identitiesOnly: true, identityFiles: [chosen] });
    expect(only.auth.tried).toEqual(['agent (IdentitiesOnly)']);
    expect(only.method).toMatchObject({ type: 'agent' });
    expect(typeof (only.method as { agent: unknown }).agent).toBe('object');
    const plain = await next({ identityFiles: [chosen] });
    expect(plain.method).toMatchObject({ type: 'agent', agent: socket });
  });

  it('skips the agent with a note when no identity file has a known public key', async () => {
    const { auth, method } = await next({ identitiesOnly: true, identityFiles: ['/nonexistent/key'] });
    expect(auth.notes).toContain('agent: not used (IdentitiesOnly, and no public key of an identity file is known)');
    expect(method).toBe(false);
  });

  it('names a CertificateFile it could not present when authentication fails', async () => {
    const { auth } = await next({ agent: false, identityFiles: [], certificateFiles: ['/home/me/.ssh/id-cert.pub'] });
    expect(auth.failure().details).toContain(
      'CertificateFile /home/me/.ssh/id-cert.pub not used: ssh2 cannot present OpenSSH certificates, only the key itself',
    );
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
