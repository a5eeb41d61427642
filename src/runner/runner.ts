// Runs a list of phases in order; a phase that names the earlier ones it needs (`after`) runs beside
// the others, once those have passed. Every change a phase makes is journalled with its undo; when a
// phase fails or the run is interrupted, every phase still running is stopped and waited for, then
// the journal is undone newest first (then each ran phase's own rollback, newest first), unless the
// caller asked to keep the state for debugging.

import { ExitCode, HealError, isHealError } from '../core/errors.js';
import { openActivityWindow } from '../remote/activity.js';
import type { Journal, Phase, PhaseRecord, RunOutcome, UndoRecord } from './phase.js';
import { worthKeeping, type HostUndo } from '../core/undo-step.js';

export type RunnerEvent =
  | { type: 'phase-start'; id: string; title: string }
  | { type: 'phase-progress'; id: string; line: string; key?: string }
  | { type: 'phase-end'; record: PhaseRecord }
  | { type: 'rollback-start'; changes: number }
  | { type: 'undo'; record: UndoRecord };

export interface RunOptions {
  dryRun?: boolean;
  /** Keep what a failed run changed (for debugging); `finally` actions such as unlocking still run. */
  noRollback?: boolean;
  signal?: AbortSignal;
  emit?: (event: RunnerEvent) => void;
}

/** What every run reports, passed or failed. */
interface RunRecord {
  dryRun: boolean;
  interrupted: boolean;
  phases: PhaseRecord[];
  /** Changes undone by the rollback, newest first. */
  rolledBack: UndoRecord[];
  /** Changes a failed run left in place (with --no-rollback). */
  leftInPlace: string[];
  /** Undo steps the rollback could not run, as data, in the order to run them later. */
  pendingUndo: HostUndo[];
}

/**
 * A run that passed, or one that failed with the error that ended it: never one without the other
 * (`error` reads as undefined on a passed run, so `if (run.error)` narrows as `if (!run.ok)` does).
 */
export type RunResult = (RunRecord & { ok: true; error?: never }) | (RunRecord & { ok: false; error: HealError });

export type FailedRun = Extract<RunResult, { ok: false }>;

interface Entry {
  description: string;
  action: () => Promise<void>;
  step?: HostUndo;
}

export function interruptedError(): HealError {
  return new HealError({ code: 'interrupted', message: 'interrupted (Ctrl-C)', exitCode: ExitCode.interrupted });
}

/** Throws the interruption error when the signal has fired: phases call it between steps. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw interruptedError();
}

/**
 * Which earlier phases each phase waits for (indexes). A phase without `after` waits for every
 * earlier one; a phase with `after` waits for the phases it names and for the last earlier phase
 * without `after` (so a phase inserted into a list without `after`, such as restore's volume fill,
 * still comes before everything after it).
 */
export function prerequisites(phases: readonly Pick<Phase<unknown>, 'id' | 'after'>[]): number[][] {
  let barrier = -1;
  return phases.map((phase, i) => {
    if (!phase.after) {
      barrier = i;
      return [...Array(i).keys()];
    }
    const named = phase.after.map((id) => {
      const at = phases.findIndex((p) => p.id === id);
      if (at < 0 || at >= i)
        throw new Error(`phase ${phase.id} waits for ${id}, which is not an earlier phase of the list`);
      return at;
    });
    return [...new Set(barrier >= 0 ? [...named, barrier] : named)].sort((a, b) => a - b);
  });
}

export async function runPhases<C>(phases: readonly Phase<C>[], ctx: C, options: RunOptions = {}): Promise<RunResult> {
  const emit = options.emit ?? (() => undefined);
  const signal = options.signal ?? new AbortController().signal;
  // What the phases see: aborted by Ctrl-C, and also when another phase running beside them fails,
  // so that they wind down and the rollback starts soon.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();
  const dryRun = options.dryRun ?? false;
  const undos: Entry[] = [];
  const successes: Entry[] = [];
  const finals: Array<{ description: string; action: (outcome: RunOutcome) => Promise<void> }> = [];
  const ran: Phase<C>[] = [];
  const records: (PhaseRecord | undefined)[] = phases.map(() => undefined);
  const journal: Journal = {
    changed: (description, action, step) => undos.push({ description, action, ...(step ? { step } : {}) }),
    onSuccess: (description, action) => successes.push({ description, action }),
    finally: (description, action) => finals.push({ description, action }),
  };
  const needs = prerequisites(phases);
  const passed = (i: number) => {
    const record = records[i];
    return record !== undefined && record.status !== 'failed';
  };

  let failure: HealError | undefined;
  const runOne = async (phase: Phase<C>): Promise<PhaseRecord> => {
    emit({ type: 'phase-start', id: phase.id, title: phase.title });
    // Each phase's wall time and each host's busy time in it (remote/activity.ts), for --verbose and --json.
    const started = performance.now();
    const activity = openActivityWindow();
    let record: PhaseRecord;
    try {
      throwIfAborted(signal);
      if (phase.shouldRun && !phase.shouldRun(ctx)) {
        record = {
          id: phase.id,
          title: phase.title,
          status: 'skipped',
          summary: phase.skipReason?.(ctx) ?? 'nothing to do',
        };
      } else if (dryRun && !phase.readOnly) {
        record = { id: phase.id, title: phase.title, status: 'planned', plan: phase.dryRun?.(ctx) ?? [] };
      } else {
        ran.push(phase);
        const io = {
          journal,
          signal: stop.signal,
          progress: (line: string, key?: string) =>
            emit({ type: 'phase-progress', id: phase.id, line, ...(key === undefined ? {} : { key }) }),
        };
        const outcome = await activity.run(() => phase.run(ctx, io));
        throwIfAborted(signal);
        const summary = typeof outcome === 'object' ? outcome.summary : outcome;
        record = {
          id: phase.id,
          title: phase.title,
          status: 'done',
          ...(summary ? { summary } : {}),
          ...(typeof outcome === 'object' ? { verdict: outcome.verdict } : {}),
        };
      }
    } catch (error) {
      // Stopped because a phase beside it failed: that one's error is the run's.
      const own = signal.aborted
        ? interruptedError()
        : failure && isStop(error)
          ? stoppedError(failure)
          : asHealError(error);
      failure ??= own;
      stop.abort();
      record = { id: phase.id, title: phase.title, status: 'failed', error: errorRecord(own) };
    }
    return { ...record, ms: Math.round(performance.now() - started), hosts: activity.close() };
  };

  // Every phase starts as soon as the phases it waits for have passed, and none starts after a
  // failure; the run ends only when every started phase has settled, so a rollback never races one.
  const running = new Map<number, Promise<void>>();
  const started = new Set<number>();
  for (;;) {
    if (!failure) {
      for (const [i, phase] of phases.entries()) {
        if (started.has(i) || !(needs[i] ?? []).every(passed)) continue;
        started.add(i);
        running.set(
          i,
          runOne(phase).then((record) => {
            records[i] = record;
            running.delete(i);
            emit({ type: 'phase-end', record });
          }),
        );
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  signal.removeEventListener('abort', onAbort);
  const ranOrNot = phases.map(
    (phase, i): PhaseRecord => records[i] ?? { id: phase.id, title: phase.title, status: 'not-run' },
  );

  const rolledBack: UndoRecord[] = [];
  const pendingUndo: HostUndo[] = [];
  let leftInPlace: string[] = [];
  if (!failure) {
    await runAll(successes, () => undefined);
  } else if (options.noRollback) {
    leftInPlace = undos.map((u) => u.description);
  } else {
    emit({ type: 'rollback-start', changes: undos.length });
    const reverse = [...undos].reverse();
    for (const phase of [...ran].reverse()) {
      const rollback = phase.rollback?.bind(phase);
      if (rollback) reverse.push({ description: `${phase.title}: clean up`, action: () => rollback(ctx) });
    }
    await runAll(reverse, (record, entry, error) => {
      const kept = !record.ok && worthKeeping(error) ? entry.step : undefined;
      if (kept) pendingUndo.push(kept);
      const told = kept ? { ...record, kept: true } : record;
      rolledBack.push(told);
      emit({ type: 'undo', record: told });
    });
  }
  // What changed: the summaries of the phases that change hosts and ran to their end (a failed run's
  // were rolled back, so none).
  const changed = failure
    ? []
    : phases.flatMap((phase, i) => {
        const r = records[i];
        return !phase.readOnly && r?.status === 'done' && r.summary ? [`${phase.id}: ${r.summary}`] : [];
      });
  const outcome: RunOutcome = {
    ...(failure ? { ok: false as const, code: failure.code, message: failure.message } : { ok: true as const }),
    changed,
  };
  await runAll(
    [...finals].reverse().map((f) => ({ description: f.description, action: () => f.action(outcome) })),
    () => undefined,
  );

  const record: RunRecord = {
    dryRun,
    interrupted: failure?.code === 'interrupted',
    phases: ranOrNot,
    rolledBack,
    leftInPlace,
    pendingUndo,
  };
  return failure ? { ...record, ok: false, error: failure } : { ...record, ok: true };
}

/** Every action runs even when an earlier one fails: a rollback does as much as it can. */
async function runAll(
  entries: readonly Entry[],
  report: (record: UndoRecord, entry: Entry, error?: unknown) => void,
): Promise<void> {
  for (const entry of entries) {
    try {
      await entry.action();
      report({ description: entry.description, ok: true }, entry);
    } catch (error) {
      report({ description: entry.description, ok: false, error: (error as Error).message }, entry, error);
    }
  }
}

function isStop(error: unknown): boolean {
  return (
    (isHealError(error) && error.code === 'interrupted') || (error instanceof Error && error.name === 'AbortError')
  );
}

/** A phase stopped because another one, running beside it, failed first. */
function stoppedError(first: HealError): HealError {
  return new HealError({ code: 'stopped', message: `stopped: ${first.message}` });
}

function asHealError(error: unknown): HealError {
  if (isHealError(error)) return error;
  return new HealError({
    code: 'internal',
    message: `unexpected failure: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    hint: 'run again with --verbose for the stack trace, and report it with that output',
    cause: error,
  });
}

function errorRecord(error: HealError): NonNullable<PhaseRecord['error']> {
  return {
    code: error.code,
    message: error.message,
    ...(error.hint ? { hint: error.hint } : {}),
    ...(error.details.length ? { details: error.details } : {}),
  };
}
