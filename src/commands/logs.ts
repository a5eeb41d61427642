// `logs [COMPONENT...]`: the containers' logs through each host's one SSH connection, each line
// prefixed with its component (and its host when the components live on several), or with --json
// one document per line. --follow runs until the containers stop or Ctrl-C (exit 130).
import { ExitCode } from '../core/errors.js';
import { logsPhases, type ComponentLogLine, type LogsContext } from '../phases/logs/logs.js';
import { serverInventory } from '../phases/shared/reachable.js';
import { COMPONENTS, component, type ComponentName } from '../stack/manifest.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface LogsFlags extends TopologyFlags, ConnectFlags {
  components?: ComponentName[];
  tail?: number;
  /** Unix seconds. */
  since?: number;
  follow?: boolean;
}

const PALETTE = ['cyan', 'magenta', 'yellow', 'green', 'blue'] as const;

/** `pyroscope | ` or, when the components live on several machines, `app-01 pyroscope | `, padded to one width. */
export function linePrefixes(
  sources: ReadonlyArray<{ component: ComponentName; host: string }>,
): Map<ComponentName, string> {
  const several = new Set(sources.map((s) => s.host)).size > 1;
  const label = (s: { component: ComponentName; host: string }) => (several ? `${s.host} ${s.component}` : s.component);
  const width = Math.max(...sources.map((s) => label(s).length));
  return new Map(sources.map((s) => [s.component, `${label(s).padEnd(width)} | `]));
}

function lineWriter(out: Output, ctx: LogsContext): (line: ComponentLogLine) => void {
  if (out.json) {
    return (l) =>
      out.record({ ok: true, component: l.component, host: l.host, stream: l.stream, time: l.time, line: l.line });
  }
  let prefixes: Map<ComponentName, string> | undefined;
  return (l) => {
    prefixes ??= linePrefixes(ctx.sources.map((s) => ({ component: s.component, host: s.host.name })));
    const colour = PALETTE[COMPONENTS.indexOf(component(l.component)) % PALETTE.length] ?? 'cyan';
    // The log itself is the result: stdout, one line per line (stderr lines too, as `docker logs` merges them).
    out.say(`${out.color[colour](prefixes.get(l.component) ?? `${l.component} | `)}${l.line}`);
  };
}

export async function runLogsCommand(flags: LogsFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(flags, ctx, async ({ topology, connect }) => {
    // Ctrl-C ends the streams; the runner then closes the sessions and we exit 130.
    const stop = new AbortController();
    const logs: LogsContext = {
      topology,
      connect,
      hosts: serverInventory(topology),
      components: flags.components ?? [],
      request: {
        follow: flags.follow ?? false,
        ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
        ...(flags.since !== undefined ? { since: flags.since } : {}),
      },
      onLine: () => undefined,
      stop: stop.signal,
      sources: [],
    };
    logs.onLine = lineWriter(out, logs);
    return {
      phases: logsPhases(),
      context: logs,
      interrupt: { words: { first: '', again: 'interrupted again: exiting at once' }, stops: stop },
      // The lines are the output: no phase list.
      progress: false,
      finish: () => ({ exitCode: stop.signal.aborted ? ExitCode.interrupted : ExitCode.ok }),
    };
  });
}
