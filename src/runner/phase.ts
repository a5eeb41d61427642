// The vocabulary of install and uninstall: a phase (title, optional skip test, run, dry-run
// description, rollback) and the journal in which a phase records each change as it makes it,
// with the action that puts it back. The runner (runner.ts) undoes the journal on failure.

import type { HostUndo } from '../core/undo-step.js';

export interface Journal {
  /**
   * A change this run made, and how to put it back if the run fails or is interrupted. With `step`
   * (the undo as data), an undo that fails is kept for the next install or uninstall to finish.
   */
  changed(description: string, undo: () => Promise<void>, step?: HostUndo): void;
  /** Clean-up that only a successful run performs (e.g. drop a replaced container kept for rollback). */
  onSuccess(description: string, action: () => Promise<void>): void;
  /**
   * Runs at the end whatever happens, after success actions or rollback (e.g. release the lock),
   * told how the run ended.
   */
  finally(description: string, action: (outcome: RunOutcome) => Promise<void>): void;
}

/**
 * How a run ended, as its `finally` actions are told: passed, or failed with this error; and what
 * it changed, as the phases that change hosts summed it up (`configuration: 3 file(s) written`).
 */
export type RunOutcome = ({ ok: true } | { ok: false; code: string; message: string }) & { changed?: string[] };

export interface PhaseIo {
  journal: Journal;
  /**
   * One line of live progress (shown under the phase title). Off a terminal, lines are thinned out
   * per `key` (default: the line up to its first colon, e.g. the host), so give each concurrent
   * activity its own key (e.g. host and image) or one of them may never be shown.
   */
  progress(line: string, key?: string): void;
  signal: AbortSignal;
}

export interface Phase<C> {
  id: string;
  title: string;
  /**
   * The earlier phases this one needs, by id: it starts once they have passed, beside any other
   * earlier phase still running (and after the last earlier phase that names none). Without it, a
   * phase waits for every earlier one.
   */
  after?: readonly string[];
  /** Changes nothing: also runs for real in a dry run, because the plan needs what it gathers. */
  readOnly?: boolean;
  /** False skips the phase (idempotence: nothing to do), with the reason returned by `skipReason`. */
  shouldRun?(ctx: C): boolean;
  /** Why the phase was skipped, for the operator (default: nothing to do). */
  skipReason?(ctx: C): string;
  /**
   * Returns a one-line summary of what it did, or an outcome: a phase that reports findings without
   * ending the run (preflight's checks) says so with `verdict`, so no ✔ stands on a failed check.
   */
  run(ctx: C, io: PhaseIo): Promise<string | void | PhaseOutcome>;
  /** What `run` would do, one line each; must change nothing. */
  dryRun?(ctx: C): string[];
  /** Extra clean-up beyond the journal, when a later phase fails. */
  rollback?(ctx: C): Promise<void>;
}

export interface PhaseOutcome {
  summary: string;
  verdict: 'warn' | 'fail';
}

export type PhaseStatus = 'done' | 'skipped' | 'failed' | 'planned' | 'not-run';

export interface PhaseRecord {
  id: string;
  title: string;
  status: PhaseStatus;
  summary?: string;
  /** A phase that ran to its end but found problems (its run goes on). */
  verdict?: PhaseOutcome['verdict'];
  /** Dry run: what the phase would do. */
  plan?: string[];
  error?: { code: string; message: string; hint?: string; details?: string[] };
  /** Wall time of the phase in milliseconds (absent for a phase that did not run). */
  ms?: number;
  /** Milliseconds each host was busy in the phase, from its first remote operation's start to its last one's end. */
  hosts?: Record<string, number>;
}

export interface UndoRecord {
  description: string;
  ok: boolean;
  error?: string;
  /** A failed undo kept (beside the state file) for the next install or uninstall to finish. */
  kept?: boolean;
}
