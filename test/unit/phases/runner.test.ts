import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/errors.js';
import type { Phase } from '../../../src/phases/phase.js';
import { runPhases } from '../../../src/phases/runner.js';

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
    run: async (_log, io) => io.journal.changed('remove network heal-pyroscope on db-01', async () => Promise.reject(error), step),
  });
  const failing: Phase<Log> = { id: 'boom', title: 'boom', run: async () => Promise.reject(new HealError({ code: 'x', message: 'boom' })) };

  it('keeps a failed undo that carries its step, for a later run to finish', async () => {
    const result = await runPhases([failingUndo(new HealError({ code: 'docker.not-running', message: 'Docker engine on db-01 is not running' })), failing], []);
    expect(result.pendingUndo).toEqual([step]);
    expect(result.rolledBack).toEqual([{ description: 'remove network heal-pyroscope on db-01', ok: false, error: 'Docker engine on db-01 is not running', kept: true }]);
  });

  it('does not keep a deliberate refusal: running it again would not change it', async () => {
    const result = await runPhases([failingUndo(new HealError({ code: 'rollback.directories', message: 'left /opt/x: not empty' })), failing], []);
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
