// The one lifecycle of every command that runs phases, as Kamal's cli/base.rb wraps each command in
// `modify(lock:)` and `on(hosts)`: the settings, the command's context, Ctrl-C, the live phase list,
// the --json document and the failure output, in that order and only here. A command says what is
// its own (its context and phases, its document, its human lines), so no two of them can drift.
import { ExitCode, HealError } from '../core/errors.js';
import type { Connector } from '../phases/shared/connect.js';
import { FINDING_SEPARATOR, GUARD_PHASE_ID, GUARD_WARNING } from '../phases/shared/guard.js';
import type { Phase } from '../runner/phase.js';
import { runPhases, type FailedRun, type RunOptions, type RunResult } from '../runner/runner.js';
import { statePath } from '../state/state-file.js';
import { hostConnector, rootHelperOf, type ConnectFlags } from './connect.js';
import { gatherTopology, type GatherContext, type Gathered } from './gather.js';
import { interruptSignal, type InterruptWords } from './interrupt.js';
import { errorFields, type Output } from './output.js';
import { sayFailure } from './phase-output.js';
import { withPhaseProgress, type ProgressOptions } from './progress.js';
import type { TopologyFlags } from './topology-options.js';

/** What every command starts from: the gathered settings, this environment's state file and a connector. */
export interface Settings extends Gathered {
  /** The local state of the environment (credentials, what was installed), beside the config file. */
  statePath: string;
  /** Connects hosts with the command's connection flags, reusing what ssh_config said. */
  connect: Connector;
}

/**
 * What the first Ctrl-C does: stop the run and roll back what it changed (`rollback`); nothing of
 * ours, so the process ends at once (`none`: commands that only read); or abort the command's own
 * controller with its own words, the runner going on (`logs`: the streams end, the sessions close).
 */
export type Interrupt = 'rollback' | 'none' | { words: InterruptWords; stops: AbortController };

/** How a command ends, as the command sees it once its phases have run. */
export interface Outcome<D extends object> {
  /** The --json document, without `ok` and `error` (the lifecycle sets both); none: an error document on failure. */
  document?: D;
  /** Why a run whose phases passed still fails (a host not reached, a check failed, the archive not written). */
  failure?: HealError;
  /** `failure` is already told by `say`, in the command's own words: it goes into the document only. */
  told?: boolean;
  /** The command's human lines: after the document, and before the error of a failed run. */
  say?(): void;
  /** The exit code of a command that did not fail (0 unless said). */
  exitCode?: number;
}

export interface PhaseRun<C, D extends object> {
  phases: readonly Phase<C>[];
  context: C;
  dryRun?: boolean;
  noRollback?: boolean;
  /** Default `rollback`. */
  interrupt?: Interrupt;
  /** The live phase list (progress.ts); false: none (`logs`, whose lines are its output). */
  progress?: ProgressOptions | false;
  /** What to run by hand when a failed run left changes behind, and where it kept undo steps for later. */
  cleanup?: { command: string; keptIn?: string };
  /** Once the phases have run, Ctrl-C still caught: what the command makes of the run. */
  finish(run: RunResult): Promise<Outcome<D>> | Outcome<D>;
  /** Runs last, whatever happened (backup: drop an archive that was not finished). */
  release?(): Promise<void>;
}

/** A command that stops before any host is contacted with a result of its own (preflight's declared guard). */
export interface Refused<D extends object> {
  refused: Outcome<D>;
}

const DEFAULT_CLEANUP = 'heal-pyroscope uninstall';

/**
 * Runs a command through the lifecycle and returns its exit code: every error, wherever it arises,
 * ends as one `error: { code, message, details, hint }` in the document and as `error:`/`hint:` lines.
 */
export async function runPhaseCommand<C, D extends object>(
  flags: TopologyFlags & ConnectFlags,
  ctx: GatherContext,
  prepare: (settings: Settings) => Promise<PhaseRun<C, D> | Refused<D>>,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const { out } = ctx;
  try {
    const gathered = await gatherTopology(flags, ctx);
    const settings: Settings = {
      ...gathered,
      statePath: statePath(gathered.topology.environment, gathered.configPath, ctx.cwd),
      connect: hostConnector(
        flags,
        ctx.interactive,
        gathered.sshConfig,
        rootHelperOf(gathered.topology.images.haproxy),
      ),
    };
    const prepared = await prepare(settings);
    if ('refused' in prepared) return conclude(out, prepared.refused);
    const { run, outcome } = await runAndFinish(out, prepared, options.signal);
    return conclude(out, outcome, run, prepared.cleanup);
  } catch (error) {
    return out.fail(error);
  }
}

async function runAndFinish<C, D extends object>(
  out: Output,
  prepared: PhaseRun<C, D>,
  external: AbortSignal | undefined,
): Promise<{ run: RunResult; outcome: Outcome<D> }> {
  const interrupt = prepared.interrupt ?? 'rollback';
  const caught =
    interrupt === 'none'
      ? undefined
      : interrupt === 'rollback'
        ? interruptSignal(out, external)
        : interruptSignal(out, undefined, interrupt.words, interrupt.stops);
  // With its own words, Ctrl-C stops the command's work, not the run: the runner closes the sessions as usual.
  const signal = interrupt === 'rollback' ? caught?.signal : undefined;
  const runOptions = {
    dryRun: prepared.dryRun ?? false,
    noRollback: prepared.noRollback ?? false,
    ...(signal ? { signal } : {}),
  };
  const { phases, context, progress = {} } = prepared;
  const start = (emit?: RunOptions['emit']) => runPhases(phases, context, { ...runOptions, ...(emit ? { emit } : {}) });
  try {
    const run =
      progress === false
        ? await start()
        : await withPhaseProgress(out, phases, start, { ...progress, dryRun: runOptions.dryRun });
    return { run, outcome: await prepared.finish(run) };
  } finally {
    caught?.dispose();
    await prepared.release?.();
  }
}

/** The document, what a failed run left, the command's lines, then the failure: the same order for every command. */
function conclude<D extends object>(
  out: Output,
  outcome: Outcome<D>,
  run?: RunResult,
  cleanup?: PhaseRun<unknown, D>['cleanup'],
): number {
  const failed = run && !run.ok ? run : undefined;
  const failure = outcome.failure ?? failed?.error;
  if (outcome.document)
    out.result({ ...outcome.document, ok: failure === undefined, ...(failure ? { error: errorFields(failure) } : {}) });
  if (failed) sayFailure(failed, out, cleanup?.command ?? DEFAULT_CLEANUP, cleanup?.keptIn);
  outcome.say?.();
  warnGuard(out, run);
  if (outcome.failure) return out.fail(outcome.failure, { humanTold: outcome.told ?? false });
  if (failed) return out.fail(rolledBack(failed));
  return outcome.exitCode ?? ExitCode.ok;
}

/** A warning guard's findings (uninstall, status, verify, logs, backup): one line each, after the command's own. */
function warnGuard(out: Output, run: RunResult | undefined): void {
  const guard = run?.phases.find((p) => p.id === GUARD_PHASE_ID && p.verdict === 'warn');
  if (guard?.summary === undefined) return;
  out.warn(`${GUARD_WARNING}:`);
  for (const line of guard.summary.slice(GUARD_WARNING.length + 2).split(FINDING_SEPARATOR)) out.warn(`  ${line}`);
  out.warn('  heal-pyroscope is for non-production hosts: remove it from these hosts (`heal-pyroscope uninstall`)');
}

/** A failed run's error as the operator reads it: how many changes the rollback undid, if any. */
function rolledBack(run: FailedRun): HealError {
  const { error, rolledBack: undone } = run;
  if (undone.length === 0) return error;
  return new HealError({
    code: error.code,
    message: `${error.message} (rolled back ${undone.filter((u) => u.ok).length} change(s))`,
    details: error.details,
    ...(error.hint ? { hint: error.hint } : {}),
    exitCode: error.exitCode,
    cause: error,
  });
}
