import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import type { Phase } from '../../../src/runner/phase.js';
import { prerequisites, runPhases } from '../../../src/runner/runner.js';

type Log = string[];
const change = (id: string, opts: { fail?: boolean; readOnly?: boolean } = {}): Phase<Log> => ({
  id,
  title: id,
  ...(opts.readOnly ? { readOnly: true } : {}),
  run: async (log, io) => {
    log.push(`run ${id}`);
    io.journal.changed(`undo ${id}`, async () => void log.push(`undo ${id}`));
    io.journal.onSuccess(`commit ${id}`, async () => void log.push(`commit ${id}`));
    if (opts.fail) throw new HealError({ code: 'x', message: `${id} failed` });
  },
  dryRun: () => [`would ${id}`],
});

describe('phase runner', () => {
  it('undoes every change newest first when a phase fails, and skips later phases', async () => {
    const log: Log = [];
    const result = await runPhases([change('a'), change('b'), change('c', { fail: true }), change('d')], log);
    expect(result.ok).toBe(false);
    expect(log).toEqual(['run a', 'run b', 'run c', 'undo c', 'undo b', 'undo a']);
    expect(result.phases.map((p) => p.status)).toEqual(['done', 'done', 'failed', 'not-run']);
  });

  it('runs success actions and no undo when every phase succeeds', async () => {
    const log: Log = [];
    const result = await runPhases([change('a'), change('b')], log);
    expect(result.ok).toBe(true);
    expect(log).toEqual(['run a', 'run b', 'commit a', 'commit b']);
  });

  it('keeps the changes with noRollback and lists them', async () => {
    const log: Log = [];
    const result = await runPhases([change('a'), change('b', { fail: true })], log, { noRollback: true });
    expect(log).toEqual(['run a', 'run b']);
    expect(result.leftInPlace).toEqual(['undo a', 'undo b']);
  });

  it('describes instead of running in a dry run, except read-only phases', async () => {
    const log: Log = [];
    const result = await runPhases([change('facts', { readOnly: true }), change('write')], log, { dryRun: true });
    expect(log).toEqual(['run facts', 'commit facts']);
    expect(result.phases[1]).toMatchObject({ status: 'planned', plan: ['would write'] });
  });

  it('stops at an interruption, rolls back and reports it as interrupted (exit 130)', async () => {
    const log: Log = [];
    const controller = new AbortController();
    const interrupting: Phase<Log> = { id: 'i', title: 'i', run: async () => void controller.abort() };
    const result = await runPhases([change('a'), interrupting, change('b')], log, { signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.error?.exitCode).toBe(130);
    expect(log).toEqual(['run a', 'undo a']);
  });

  it('tells finally actions how the run ended', async () => {
    const told: unknown[] = [];
    const record = (fail: boolean): Phase<Log> => ({
      id: 'p',
      title: 'p',
      run: async (_log, io) => {
        io.journal.finally('record', async (outcome) => void told.push(outcome));
        if (fail) throw new HealError({ code: 'install.verify', message: 'nothing answered' });
      },
    });
    await runPhases([record(false)], []);
    await runPhases([record(true)], []);
    expect(told).toEqual([
      { ok: true, changed: [] },
      { ok: false, code: 'install.verify', message: 'nothing answered', changed: [] },
    ]);
  });

  it('runs finally actions after the rollback, even when an undo fails', async () => {
    const log: Log = [];
    const phase: Phase<Log> = {
      id: 'p',
      title: 'p',
      run: async (l, io) => {
        io.journal.finally('unlock', async () => void l.push('unlock'));
        io.journal.changed('broken undo', async () => {
          throw new Error('gone');
        });
        throw new Error('boom');
      },
    };
    const result = await runPhases([phase], log);
    expect(result.rolledBack).toEqual([{ description: 'broken undo', ok: false, error: 'gone' }]);
    expect(log).toEqual(['unlock']);
  });
});

describe('phase runner: undo steps that cannot run', () => {
  const step = { host: 'db-01', kind: 'remove-network' as const, id: 'n1', name: 'heal-pyroscope' };
  const failingUndo = (error: Error): Phase<Log> => ({
    id: 'net',
    title: 'net',
    run: async (_log, io) =>
      io.journal.changed('remove network heal-pyroscope on db-01', async () => Promise.reject(error), step),
  });
  const failing: Phase<Log> = {
    id: 'boom',
    title: 'boom',
    run: async () => Promise.reject(new HealError({ code: 'x', message: 'boom' })),
  };

  it('keeps a failed undo that carries its step, for a later run to finish', async () => {
    const result = await runPhases(
      [
        failingUndo(new HealError({ code: 'docker.not-running', message: 'Docker engine on db-01 is not running' })),
        failing,
      ],
      [],
    );
    expect(result.pendingUndo).toEqual([step]);
    expect(result.rolledBack).toEqual([
      {
        description: 'remove network heal-pyroscope on db-01',
        ok: false,
        error: 'Docker engine on db-01 is not running',
        kept: true,
      },
    ]);
  });

  it('does not keep a deliberate refusal: running it again would not change it', async () => {
    const result = await runPhases(
      [failingUndo(new HealError({ code: 'rollback.directories', message: 'left /opt/x: not empty' })), failing],
      [],
    );
    expect(result.pendingUndo).toEqual([]);
    expect(result.rolledBack[0]).toMatchObject({ ok: false });
    expect(result.rolledBack[0]!.kept).toBeUndefined();
  });

  it('keeps nothing when every undo runs', async () => {
    const result = await runPhases([change('a'), change('b', { fail: true })], []);
    expect(result.pendingUndo).toEqual([]);
    expect(result.rolledBack.every((r) => r.ok && r.kept === undefined)).toBe(true);
  });
});

describe('phase runner: phases beside each other (after)', () => {
  const ids = (list: Array<{ id: string; after?: string[] }>) => prerequisites(list);

  it('makes a phase without `after` wait for every earlier one, and one with it for what it names and the last such phase', () => {
    expect(
      ids([{ id: 'a' }, { id: 'b', after: ['a'] }, { id: 'c', after: ['a'] }, { id: 'd' }, { id: 'e', after: ['b'] }]),
    ).toEqual([[], [0], [0], [0, 1, 2], [1, 3]]);
  });

  it('refuses an `after` that names no earlier phase', () => {
    expect(() => ids([{ id: 'a', after: ['b'] }, { id: 'b' }])).toThrow(
      'phase a waits for b, which is not an earlier phase of the list',
    );
    expect(() => ids([{ id: 'a', after: ['nope'] }])).toThrow('nope');
  });

  it('runs phases that wait only for the same earlier phase at the same time, and the next one after both', async () => {
    const log: Log = [];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const phases: Phase<Log>[] = [
      change('a'),
      // Would never end if it ran alone before c: c releases it.
      {
        id: 'b',
        title: 'b',
        after: ['a'],
        run: async (l) => {
          l.push('start b');
          await released;
          l.push('end b');
        },
      },
      {
        id: 'c',
        title: 'c',
        after: ['a'],
        run: async (l) => {
          l.push('start c');
          release();
        },
      },
      change('d'),
    ];
    const result = await runPhases(phases, log);
    expect(result.ok).toBe(true);
    expect(log.slice(0, 4)).toEqual(['run a', 'start b', 'start c', 'end b']);
    expect(log[4]).toBe('run d');
    expect(result.phases.map((p) => p.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('on a failure stops the phase running beside it, waits for it, starts nothing else, then undoes both', async () => {
    const log: Log = [];
    const phases: Phase<Log>[] = [
      change('a'),
      {
        id: 'pull',
        title: 'pull',
        after: ['a'],
        run: async (l, io) => {
          io.journal.changed('undo pull', async () => void l.push('undo pull'));
          await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
          l.push('pull saw the stop');
          throw new HealError({ code: 'interrupted', message: 'interrupted (Ctrl-C)' });
        },
      },
      change('door', { fail: true }),
      change('verify'),
    ];
    phases[2] = { ...phases[2]!, after: ['a'] };
    const result = await runPhases(phases, log);
    expect(result.error).toMatchObject({ code: 'x', message: 'door failed' });
    expect(result.interrupted).toBe(false);
    expect(result.phases.map((p) => p.status)).toEqual(['done', 'failed', 'failed', 'not-run']);
    expect(result.phases[1]!.error).toMatchObject({ code: 'stopped', message: 'stopped: door failed' });
    // The rollback began only once pull had settled: its change is undone too.
    expect(log.indexOf('pull saw the stop')).toBeLessThan(log.indexOf('undo door'));
    expect(log).toContain('undo pull');
    expect(log).not.toContain('run verify');
  });
});
