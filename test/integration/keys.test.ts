// Key problems name their cause: a configured key that cannot be one ends the command with exit 2
// before any host is contacted (the lab's sshd logs prove it); three wrong passphrases at a terminal
// end with that key named, and no ✔ is shown for a wrong passphrase.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, type Lab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { runOnTty } from '../support/tty.js';

const skip = labSkipReason();
const stateDir = process.env.LAB_STATE_DIR ?? '/var/lib/hplab';
const SERVERS = ['target-01', 'web-01', 'app-01', 'db-01'];

/** Lines of sshd's log that a client's connection or login writes. */
function sshdContacts(host: string): number {
  const log = readFileSync(join(stateDir, 'hosts', host, 'logs', 'sshd.log'), 'utf8');
  return log.split('\n').filter((l) => /Connection from|Accepted/.test(l)).length;
}
const contacts = () => Object.fromEntries(SERVERS.map((h) => [h, sshdContacts(h)]));

/** The lab topology with another identity file, and (optionally) every tier on one machine. */
function topologyWith(lab: Lab, identityFile: string, oneMachine?: string): { dir: string; path: string } {
  const topo = labTopologyFile(lab);
  let text = readFileSync(topo.path, 'utf8').replace(`identityFile: ${lab.keys.root}`, `identityFile: ${identityFile}`);
  if (oneMachine) {
    const address = lab.hosts.find((h) => h.name === oneMachine)!.address;
    text = text.replace(/\{ host: [0-9.]+, name: [a-z0-9-]+ \}/g, `{ host: ${address}, name: ${oneMachine} }`);
  }
  writeFileSync(topo.path, text);
  return topo;
}

describe.skipIf(skip)('key problems (lab)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = requireLab();
  });

  it('a public key as identityFile exits 2 and no sshd sees a connection', async () => {
    const topo = topologyWith(lab, `${lab.keys.root}.pub`);
    const before = contacts();
    const r = await runCli(['--json', 'preflight', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      error: {
        code: 'ssh.key.public',
        message: `identity file ${lab.keys.root}.pub is a public key, not a private key`,
        hint: `use ${lab.keys.root} (the private key is the file without .pub)`,
      },
    });
    expect(contacts()).toEqual(before);
  });

  it('a directory as identityFile exits 2 naming it, contacting no host', async () => {
    const topo = labTopologyFile(lab);
    const keysDir = join(topo.dir, 'keys');
    mkdirSync(keysDir);
    const bad = topologyWith(lab, keysDir);
    const before = contacts();
    const r = await runCli(['install', '--config', bad.path, '--yes'], { cwd: bad.dir, env: { CI: 'true' } });
    expect(r.code).toBe(2);
    // The config's own check (ssh.identityFile) or the key check before connecting: either names it.
    expect(r.stderr).toContain(`${keysDir} is a directory, not a private key`);
    expect(contacts()).toEqual(before);
  });

  it('three wrong passphrases at a terminal end naming that key, with no ✔ for them', async () => {
    const topo = topologyWith(lab, lab.keys.encrypted, 'app-01');
    const tty = runOnTty(['preflight', '--config', topo.path], topo.dir);
    await tty.expect(`Passphrase for ${lab.keys.encrypted}:`, 30_000);
    // Each answer is acknowledged by the prompt's final frame ('·', never ✔) before the next is typed.
    for (const [attempt, answer] of ['wrong one', 'wrong two', 'wrong three'].entries()) {
      if (attempt > 0)
        await tty.expect(new RegExp(`Wrong passphrase\\.\\s+Passphrase for[\\s\\S]*\\(attempt ${attempt + 1}\\)`));
      tty.type(`${answer}\r`);
      await tty.expect(/· (Wrong passphrase\.\s+)?Passphrase for/);
    }
    // root may also log in with a password: refuse it three times too.
    for (let i = 0; i < 3; i++) {
      await tty.expect('Password for root@');
      tty.type('\r');
      await tty.expect('· Password for root@');
    }
    const r = await Promise.race([
      tty.done,
      new Promise<never>((_, fail) =>
        setTimeout(() => fail(new Error(`no exit; screen:\n${tty.screen().slice(-1500)}`)), 30_000),
      ),
    ]);
    expect(r.exitCode).toBe(1);
    expect(tty.screen().replace(/\s+/g, ' ')).toContain(`wrong passphrase for ${lab.keys.encrypted} (3 attempts)`);
    expect(tty.screen()).not.toMatch(/✔ .*Passphrase/);
  }, 90_000);
});
