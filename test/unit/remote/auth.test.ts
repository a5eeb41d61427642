import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, ParsedKey } from 'ssh2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../../src/remote/auth.js';
import { Deadline } from '../../../src/remote/deadline.js';
import type { Interaction } from '../../../src/remote/interaction.js';
import { InteractionGate, nonInteractive } from '../../../src/remote/interaction.js';
import type { SshTarget } from '../../../src/remote/target.js';

const dir = mkdtempSync(join(tmpdir(), 'heal-auth-'));
const plainKey = join(dir, 'plain');
const encryptedKey = join(dir, 'encrypted');
writeFileSync(plainKey, ssh2.utils.generateKeyPairSync('ed25519').private);
writeFileSync(
  encryptedKey,
  ssh2.utils.generateKeyPairSync('ed25519', { passphrase: 'right', cipher: 'aes256-ctr', rounds: 1 }).private,
);

const target: SshTarget = {
  name: 'web-01',
  host: '10.213.0.11',
  port: 22,
  user: 'heal',
  knownHostsFile: '/kh',
  dockerSocket: '/s',
};
const deadlines: Deadline[] = [];
afterEach(() => deadlines.splice(0).forEach((d) => d.clear()));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function authenticator(
  t: Partial<SshTarget>,
  interaction: Interaction = nonInteractive,
  keyCache = new Map<string, ParsedKey>(),
  agent?: string,
) {
  const deadline = new Deadline(60_000, () => undefined);
  deadlines.push(deadline);
  return new Authenticator({
    target: { ...target, ...t },
    gate: new InteractionGate(interaction),
    deadline,
    keyCache,
    agentSocketFromEnv: agent,
  });
}

const next = (auth: Authenticator, methods: AuthenticationType[] | null) =>
  new Promise<AnyAuthMethod | false>((resolve) =>
    auth.handler(methods as AuthenticationType[], false, (m) => resolve(m as AnyAuthMethod | false)),
  );

const both: AuthenticationType[] = ['publickey', 'password'];

describe('Authenticator', () => {
  it("starts with 'none' to learn which methods the server accepts", async () => {
    expect(await next(authenticator({}), null)).toEqual({ type: 'none', username: 'heal' });
  });

  it('tries the agent first when $SSH_AUTH_SOCK is a socket, and skips it with a note when not', async () => {
    const auth = authenticator(
      { agent: undefined, identityFiles: [plainKey] },
      nonInteractive,
      new Map(),
      '/nonexistent/agent.sock',
    );
    expect(await next(auth, both)).toMatchObject({ type: 'publickey' });
    expect(auth.notes).toContain('agent: no socket at /nonexistent/agent.sock');
  });

  it('never uses an agent when agent is false', async () => {
    const auth = authenticator({ agent: false, identityFiles: [] }, nonInteractive, new Map(), '/tmp');
    await next(auth, ['publickey']);
    expect(auth.notes.join()).not.toContain('agent');
  });

  it('offers identity files in order, skipping missing ones with a note', async () => {
    const auth = authenticator({ identityFiles: ['/nonexistent/id', plainKey] });
    expect(await next(auth, both)).toMatchObject({ type: 'publickey', username: 'heal' });
    expect(auth.tried).toEqual([`key ${plainKey}`]);
    expect(auth.notes).toContain('identity file /nonexistent/id does not exist');
  });

  it('asks for the passphrase of an encrypted key again after a wrong answer', async () => {
    const answers = ['wrong', 'right'];
    const asked: string[] = [];
    const interaction: Interaction = {
      ...nonInteractive,
      passphrase: async (p) => (asked.push(p), answers.shift() ?? ''),
    };
    const auth = authenticator({ identityFiles: [encryptedKey] }, interaction);
    expect(await next(auth, both)).toMatchObject({ type: 'publickey' });
    expect(asked).toEqual([encryptedKey, encryptedKey]);
  });

  it('asks for a passphrase once per key across sessions of a run', async () => {
    const cache = new Map<string, ParsedKey>();
    let asked = 0;
    const interaction: Interaction = { ...nonInteractive, passphrase: async () => (asked++, 'right') };
    await next(authenticator({ identityFiles: [encryptedKey] }, interaction, cache), both);
    await next(authenticator({ identityFiles: [encryptedKey] }, interaction, cache), both);
    expect(asked).toBe(1);
  });

  it('fails an encrypted key in non-interactive mode with the reason and the ssh-add hint', async () => {
    const auth = authenticator({ identityFiles: [encryptedKey] });
    expect(await next(auth, ['publickey'])).toBe(false);
    const failure = auth.failure();
    expect(failure.code).toBe('ssh.auth');
    expect(failure.message).toContain('tried: nothing usable (Private key');
    expect(failure.hint).toContain(`ssh-add ${encryptedKey}`);
  });

  it('asks for a password through the Interaction when the server accepts one', async () => {
    const interaction: Interaction = { ...nonInteractive, password: async (who) => `secret-for-${who}` };
    const auth = authenticator({ identityFiles: [] }, interaction);
    expect(await next(auth, both)).toEqual({
      type: 'password',
      username: 'heal',
      password: 'secret-for-heal@10.213.0.11',
    });
  });

  it('answers keyboard-interactive prompts with the password when plain password is not offered', async () => {
    const interaction: Interaction = { ...nonInteractive, password: async () => 'pw' };
    const method = await next(authenticator({ identityFiles: [] }, interaction), ['keyboard-interactive']);
    expect(method).toMatchObject({ type: 'keyboard-interactive' });
    const answers = await new Promise((resolve) =>
      (method as { prompt: (...a: unknown[]) => void }).prompt(
        '',
        '',
        '',
        [{ prompt: 'Password: ', echo: false }],
        resolve,
      ),
    );
    expect(answers).toEqual(['pw']);
  });

  it('tries each key, then the password at most three times, then gives up listing what was tried', async () => {
    const interaction: Interaction = { ...nonInteractive, password: async () => 'pw' };
    const auth = authenticator({ identityFiles: [plainKey] }, interaction);
    const sequence: string[] = [];
    for (let method = await next(auth, both); method !== false; method = await next(auth, both))
      sequence.push(method.type);
    expect(sequence).toEqual(['publickey', 'password', 'password', 'password']);
    const failure = auth.failure();
    expect(failure.message).toBe(
      `SSH authentication failed for web-01 (heal@10.213.0.11:22); tried: key ${plainKey}, password`,
    );
    expect(failure.details).toContain('server accepts: publickey, password');
  });

  it('says after three wrong passphrases that the passphrase of that key was wrong', async () => {
    const interaction: Interaction = { ...nonInteractive, passphrase: async () => 'wrong' };
    const auth = authenticator({ identityFiles: [encryptedKey] }, interaction);
    expect(await next(auth, ['publickey'])).toBe(false);
    const failure = auth.failure();
    expect(failure.code).toBe('ssh.key.passphrase');
    expect(failure.message).toBe(
      `SSH authentication failed for web-01 (heal@10.213.0.11:22): wrong passphrase for ${encryptedKey} (3 attempts)`,
    );
    expect(failure.hint).toContain(`ssh-keygen -y -f ${encryptedKey}`);
  });

  it('does not ask again for a key whose passphrase was wrong three times in this run', async () => {
    const cache = new Map<string, ParsedKey>();
    let asked = 0;
    const interaction: Interaction = { ...nonInteractive, passphrase: async () => (asked++, 'wrong') };
    await next(authenticator({ identityFiles: [encryptedKey] }, interaction, cache), ['publickey']);
    const second = authenticator({ identityFiles: [encryptedKey] }, interaction, cache);
    expect(await next(second, ['publickey'])).toBe(false);
    expect(asked).toBe(3);
    expect(second.failure().message).toContain(`wrong passphrase for ${encryptedKey}`);
  });

  it('names a public key met while authenticating, before what else was tried', async () => {
    const pub = join(dir, 'plain.pub');
    writeFileSync(pub, ssh2.utils.generateKeyPairSync('ed25519').public);
    const auth = authenticator({ identityFiles: [pub, plainKey] });
    expect(await next(auth, ['publickey'])).toMatchObject({ type: 'publickey' });
    expect(await next(auth, ['publickey'])).toBe(false);
    const failure = auth.failure();
    expect(failure.code).toBe('ssh.key.public');
    expect(failure.message).toBe(
      `SSH authentication failed for web-01 (heal@10.213.0.11:22): identity file ${pub} is a public key, not a private key; also tried: key ${plainKey}`,
    );
  });

  it('names a directory or a missing file given as a key instead of "nothing usable"', async () => {
    const missing = authenticator({ identityFiles: ['/nonexistent/id'] });
    expect(await next(missing, ['publickey'])).toBe(false);
    expect(missing.failure().message).toContain('identity file /nonexistent/id does not exist');
    const directory = authenticator({ identityFiles: [dir] });
    expect(await next(directory, ['publickey'])).toBe(false);
    expect(directory.failure()).toMatchObject({
      code: 'ssh.key.directory',
      message: expect.stringContaining(`identity file ${dir} is a directory`),
    });
  });
});
