import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_DIR } from '../../../src/core/host-paths.js';
import { LOCK_SCRIPT, lockPhase } from '../../../src/phases/shared/lock.js';
import { appendAudit, AUDIT_LOG } from '../../../src/phases/shared/audit.js';
import type { LockOwner } from '../../../src/phases/shared/lock-owner.js';
import type { HostSpec } from '../../../src/config/topology.js';
import { Host } from '../../../src/hosts/host.js';
import { Inventory } from '../../../src/hosts/inventory.js';
import { FakeHost } from '../support/fake-host.js';
import { recordingIo } from '../support/fake-stack.js';

const LOCK = 'mkdir -m 700';
const UNLOCK = 'grep -qF';

/** web-01 serving web and app, db-01 serving db. */
function hosts(forceUnlock = false) {
  const web = new FakeHost('web-01');
  const db = new FakeHost('db-01');
  const spec = (tier: 'web' | 'app' | 'db', name: string, host: string): HostSpec => ({
    tier,
    name,
    host,
    ssh: { user: 'root', port: 22, agent: false, knownHostsFile: '/k' },
    dockerSocket: '/var/run/docker.sock',
  });
  const inventory = new Inventory([
    new Host([spec('web', 'web-01', '10.0.0.1'), spec('app', 'web-01', '10.0.0.1')]),
    new Host([spec('db', 'db-01', '10.0.0.2')]),
  ]);
  inventory.hosts[0]!.connection = web;
  inventory.hosts[1]!.connection = db;
  const ctx = {
    hosts: inventory,
    operator: 'ana@laptop',
    runId: 'run-7',
    options: { forceUnlock },
  };
  return { web, db, ctx };
}

describe('lock phase', () => {
  it('takes the lock once on every machine, naming this run as its owner', async () => {
    const { web, db, ctx } = hosts();
    expect(await lockPhase('install').run(ctx, recordingIo())).toBe('2 host(s) locked');
    for (const host of [web, db]) {
      const [argv] = host.ran(LOCK);
      expect(host.ran(LOCK)).toHaveLength(1);
      expect(argv!.slice(4, 5)).toEqual([LOCK_DIR]);
      expect(JSON.parse(argv![5]!)).toMatchObject({ by: 'ana@laptop', command: 'install', runId: 'run-7' });
      expect(argv!.at(-1)).toBe('0');
    }
  });

  it('releases each lock it took when the run ends, whatever happened', async () => {
    const { web, db, ctx } = hosts();
    const io = recordingIo();
    await lockPhase('uninstall').run(ctx, io);
    expect(io.finals()).toEqual(['unlock web-01', 'unlock db-01', "record the run in the hosts' audit log"]);
    await io.finish();
    for (const host of [web, db]) expect(host.ran(UNLOCK).map((argv) => argv.slice(-2))).toEqual([[LOCK_DIR, 'run-7']]);
  });

  it('refuses a machine locked by another run, naming who holds it, and still releases the locks it took', async () => {
    const { web, db, ctx } = hosts();
    const holder: LockOwner = {
      by: 'bo@desk',
      command: 'install',
      pid: 4242,
      startedAt: '2026-11-25T10:00:00.000Z',
      runId: 'other',
    };
    db.onExec(LOCK, { code: 3, stdout: `${JSON.stringify(holder)}\n` });
    const io = recordingIo();
    await expect(lockPhase('install').run(ctx, io)).rejects.toMatchObject({
      code: 'lock.held',
      message:
        'db-01 is locked: install started by bo@desk at 2026-11-25T10:00:00.000Z (pid 4242); nothing was changed',
      hint: expect.stringContaining('--force-unlock'),
    });
    expect(io.finals()).toEqual(['unlock web-01']);
    expect(web.ran(LOCK)).toHaveLength(1);
  });

  it('with --force-unlock, clears a lock a dead run left behind before taking it', async () => {
    const { web, db, ctx } = hosts(true);
    await lockPhase('install').run(ctx, recordingIo());
    for (const host of [web, db]) expect(host.ran(LOCK)[0]!.at(-1)).toBe('1');
  });

  it('fails plainly when the lock directory cannot be made', async () => {
    const { web, ctx } = hosts();
    web.onExec(LOCK, {
      code: 1,
      stderr: "mkdir: can't create directory '/run/heal-pyroscope.lock': Read-only file system\n",
    });
    await expect(lockPhase('install').run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'lock.failed',
      message: expect.stringContaining('Read-only file system'),
    });
  });
});

describe('the lock script, run by a real shell', () => {
  const run = async (dir: string, force: boolean, asNobody = false) => {
    const argv = ['sh', '-c', LOCK_SCRIPT, 'sh', dir, '{"runId":"r1"}', force ? '1' : '0'];
    const user =
      asNobody && process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    return execa(user[0] ?? argv[0]!, [...user.slice(1), ...(user.length > 0 ? argv : argv.slice(1))], {
      reject: false,
    });
  };

  it('takes a free lock, and calls a taken one held, naming its owner', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hp-lock-'));
    const dir = join(parent, 'heal-pyroscope.lock');
    expect((await run(dir, false)).exitCode).toBe(0);
    const again = await run(dir, false);
    expect(again.exitCode).toBe(3);
    expect(again.stdout).toBe('{"runId":"r1"}');
    expect((await run(dir, true)).exitCode).toBe(0);
  });

  // Root may write anywhere: the script runs as nobody, as a non-root SSH user's shell would.
  it.runIf(process.getuid?.() === 0)('tells a lock that cannot be created from a held one', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'hp-lock-'));
    chmodSync(parent, 0o755);
    // A user who may not write the parent (as a non-root SSH user in /run): exit 4 with mkdir's words.
    const denied = await run(join(parent, 'heal-pyroscope.lock'), false, true);
    expect(denied.exitCode).toBe(4);
    expect(denied.stderr).toMatch(/Permission denied/);
    // A lock the user cannot clear with --force-unlock: exit 4, never "held" forever.
    const held = join(parent, 'held.lock');
    mkdirSync(held);
    writeFileSync(join(held, 'owner'), '{}');
    const stuck = await run(held, true, true);
    expect(stuck.exitCode).toBe(4);
    expect(stuck.stderr).toContain('cannot clear the lock');
  });
});

describe('the audit log on each host', () => {
  it("appends who ran what and how it ended to every locked host's log, before unlocking", async () => {
    const { web, db, ctx } = hosts();
    const io = recordingIo();
    await lockPhase('install').run({ ...ctx, installerVersion: '0.1.0' }, io);
    await io.finish({ ok: false, code: 'install.verify', message: 'verify failed' });
    for (const host of [web, db]) {
      const writes = host.ran(AUDIT_LOG);
      expect(writes).toHaveLength(1);
      const [argv] = writes;
      expect(argv!.slice(0, 2)).toEqual(['sh', '-c']);
      expect(JSON.parse(argv!.at(-1)!)).toMatchObject({
        by: 'ana@laptop',
        command: 'install',
        runId: 'run-7',
        version: '0.1.0',
        outcome: 'install.verify',
        hosts: ['web-01', 'db-01'],
      });
      // Written while the lock is still held.
      const order = host.commands.map((c) => c.join(' '));
      expect(order.findIndex((c) => c.includes(AUDIT_LOG))).toBeLessThan(order.findIndex((c) => c.includes(UNLOCK)));
    }
  });

  it('appends with a real shell: the directory made, one line per run, never failing the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-audit-'));
    const log = join(dir, 'var', 'log', 'heal-pyroscope', 'audit.log');
    const local = {
      exec: (argv: readonly string[]) =>
        execa(argv[0]!, argv.slice(1), { reject: false }).then((r) => ({
          code: r.exitCode ?? 1,
          stdout: r.stdout,
          stderr: r.stderr,
        })),
    };
    const withPath = { exec: (argv: readonly string[]) => local.exec(argv.map((a) => (a === AUDIT_LOG ? log : a))) };
    expect(await appendAudit([{ name: 'h', remote: withPath }], '{"a":1}')).toEqual([]);
    expect(await appendAudit([{ name: 'h', remote: withPath }], '{"b":2}')).toEqual([]);
    expect(readFileSync(log, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    const refused = { exec: async () => ({ code: 1, stdout: '', stderr: 'Read-only file system' }) };
    expect(await appendAudit([{ name: 'ro', remote: refused }], '{}')).toEqual(['ro']);
  });
});
