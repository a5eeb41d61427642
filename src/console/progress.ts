// How a phase run looks to the operator, for every command: a listr2 task per phase (live on a
// terminal, plain lines otherwise), the phase's progress under it, the plan of a dry run, and what
// a rollback undid. The runner knows nothing of this: it only emits events.
import type { PhaseRecord } from '../runner/phase.js';
import type { RunnerEvent } from '../runner/runner.js';
import type { Output } from './output.js';

export interface PhaseTitle {
  id: string;
  title: string;
}

export interface ProgressOptions {
  /** Progress lines of these phases are shown even without --verbose and off a terminal (e.g. pulls). */
  alwaysShow?: readonly string[];
  /** Progress lines of these phases are shown under the phase on a terminal only (e.g. check results). */
  liveShow?: readonly string[];
  /** A dry run: each phase's plan stays listed under it. */
  dryRun?: boolean;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  // The executor runs at once: `settle` is set before anyone can call resolve.
  let settle: ((value: T) => void) | undefined;
  const promise = new Promise<T>((r) => (settle = r));
  return { promise, resolve: (value) => settle?.(value) };
}

/** A task's handle as listr2 gives it to the task function (the parts used here). */
interface TaskHandle {
  title: string;
  output: string;
  skip(message?: string): void;
}

/** Hosts named on a --verbose timing line; the rest are in --json. */
const TIMING_HOSTS_SHOWN = 10;

/** `--verbose`: a phase's wall time and its hosts' times, slowest first ("Preflight checks: 812 ms (web-01 790 ms, ...)"). */
export function timingLine(record: PhaseRecord): string | undefined {
  if (record.ms === undefined) return undefined;
  const hosts = Object.entries(record.hosts ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const shown = hosts.slice(0, TIMING_HOSTS_SHOWN).map(([name, ms]) => `${name} ${ms} ms`);
  if (hosts.length > TIMING_HOSTS_SHOWN) shown.push(`${hosts.length - TIMING_HOSTS_SHOWN} more in --json`);
  return `time: ${record.title}: ${record.ms} ms${shown.length ? ` (${shown.join(', ')})` : ''}`;
}

/** At most one progress line every 2 s per key, so a log stays readable. */
function throttle(intervalMs: number): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    if (now - (last.get(key) ?? 0) < intervalMs) return false;
    last.set(key, now);
    return true;
  };
}

/**
 * Runs `start` (which drives the runner and passes it `emit`) under a listr2 list of the phases.
 * Resolves with what `start` resolves; the list is complete and flushed by then.
 */
export async function withPhaseProgress<T>(
  out: Output,
  phases: readonly PhaseTitle[],
  start: (emit: (event: RunnerEvent) => void) => Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  const stream = out.humanStream as NodeJS.WriteStream;
  const live = stream.isTTY === true;
  // Each phase's task waits for its record; a phase the run never reached ends as not run.
  const ended = phases.map((phase) => ({ phase, record: deferred<PhaseRecord>() }));
  const endOf = new Map(ended.map((e) => [e.phase.id, e.record]));
  const handles = new Map<string, TaskHandle>();
  // Rollback lines come after the phase list has finished rendering, in order.
  let afterList: Promise<void> | undefined;
  const sayAfterList = (line: string) => {
    afterList = (afterList ?? listing.then(() => undefined)).then(() => out.say(line));
  };
  const allowed = throttle(2000);
  const { color } = out;

  const settle = () => {
    for (const { phase, record } of ended) record.resolve({ id: phase.id, title: phase.title, status: 'not-run' });
  };
  const emit = (event: RunnerEvent): void => {
    switch (event.type) {
      case 'phase-progress': {
        const handle = handles.get(event.id);
        const always = options.alwaysShow?.includes(event.id) ?? false;
        if (live && handle && (always || out.verbose || options.liveShow?.includes(event.id)))
          handle.output = event.line;
        else if (out.verbose) out.debug(`  ${event.line}`);
        else if (always && allowed(event.key ?? event.line.split(':')[0] ?? '')) out.say(color.dim(`  ${event.line}`));
        return;
      }
      case 'phase-end': {
        endOf.get(event.record.id)?.resolve(event.record);
        const timing = timingLine(event.record);
        if (out.verbose && timing) out.debug(timing);
        return;
      }
      case 'rollback-start':
        settle();
        if (event.changes > 0) sayAfterList(color.yellow(`Rolling back ${event.changes} change(s)...`));
        return;
      case 'undo':
        sayAfterList(
          event.record.ok
            ? `  ${color.yellow('↺')} ${event.record.description}`
            : `  ${color.red('✖')} ${event.record.description}: ${event.record.error}`,
        );
        return;
      default:
        return;
    }
  };

  const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, stream), useIcons: true });
  const list = new Listr(
    ended.map(({ phase: p, record: end }) => ({
      title: p.title,
      ...(options.dryRun ? { rendererOptions: { persistentOutput: true, outputBar: Infinity } } : {}),
      task: async (_ctx: unknown, task: TaskHandle) => {
        handles.set(p.id, task);
        const record = await end.promise;
        switch (record.status) {
          case 'done':
            task.title = `${p.title}${record.summary ? `: ${record.summary}` : ''}`;
            // Findings that do not end the run (a failed check in preflight) still get no ✔.
            if (record.verdict === 'fail') throw new Error(task.title);
            if (record.verdict === 'warn') task.title = `${color.yellow('⚠')} ${task.title}`;
            return;
          case 'skipped':
            return task.skip(record.summary ?? 'nothing to do');
          case 'planned':
            task.output = (record.plan ?? []).join('\n');
            return;
          case 'failed':
            throw new Error(`${p.title}: ${record.error?.message ?? 'failed'}`);
          default:
            return task.skip('not run');
        }
      },
    })),
    {
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: !live,
      exitOnError: false,
      registerSignalListeners: false,
      collectErrors: false,
      rendererOptions: { logger, collapseSubtasks: false },
      fallbackRendererOptions: { logger },
    },
  );

  const listing: Promise<unknown> = list.run().catch(() => undefined);
  try {
    return await start(emit);
  } finally {
    settle();
    await listing;
    await afterList;
  }
}
