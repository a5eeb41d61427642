// `logs` as phases: connect to the server machines, find each asked component's container (one that
// is not installed, or whose host is unreachable, is an error naming it), then stream their logs
// through each host's engine, decoded into lines handed to `onLine`. Read-only.

import { guardWarningPhase } from '../shared/guard.js';
import type { Topology } from '../../config/topology.js';
import { HealError } from '../../core/errors.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Host } from '../../hosts/host.js';
import { LogDecoder, type DecodedLine } from '../../remote/docker-stream.js';
import type { LogRequest, LogStream } from '../../remote/engine.js';
import { COMPONENTS, component, containerName, type ComponentName } from '../../stack/manifest.js';
import { connectPhaseFor, type Connector } from '../shared/connect.js';
import type { Phase } from '../../runner/phase.js';

export interface ComponentLogLine extends DecodedLine {
  component: ComponentName;
  host: string;
}

export interface LogSource {
  component: ComponentName;
  host: Host;
  container: string;
}

export interface LogsContext {
  topology: Topology;
  connect: Connector;
  /** The server machines. */
  hosts: Inventory;
  /** Asked for by name; empty: every installed component. */
  components: readonly ComponentName[];
  request: LogRequest;
  onLine(line: ComponentLogLine): void;
  /** Ends a following stream (Ctrl-C). */
  stop: AbortSignal;
  /** The containers found by the locate phase (none before it). */
  sources: LogSource[];
}

/** Finds the containers; a named component that is not installed or cannot be reached is an error. */
export const locatePhase: Phase<LogsContext> = {
  id: 'locate',
  title: 'Find the containers',
  readOnly: true,
  async run(ctx) {
    const asked = ctx.components.length > 0 ? [...new Set(ctx.components)] : COMPONENTS.map((c) => c.name);
    const sources: LogSource[] = [];
    const problems: string[] = [];
    for (const name of COMPONENTS.map((c) => c.name).filter((n) => asked.includes(n))) {
      const c = component(name);
      const host = ctx.hosts.forTier(c.tier);
      const container = containerName(c);
      if (!host.connection) {
        problems.push(`${name}: ${host.name} cannot be reached (${host.connectError?.message ?? 'not connected'})`);
        continue;
      }
      const found = await host.remote.engine.inspectContainer(container);
      if (found) sources.push({ component: name, host, container });
      // Not named: the whole stack was asked for, and e.g. an external front door runs no HAProxy.
      else if (ctx.components.length > 0)
        problems.push(`${name} is not installed on ${host.name} (no container ${container})`);
    }
    if (problems.length > 0) {
      throw new HealError({
        code: problems.some((p) => p.includes('cannot be reached')) ? 'logs.unreachable' : 'logs.not-installed',
        message:
          problems.length === 1
            ? `cannot read the logs: ${problems[0]}`
            : `cannot read the logs of ${problems.length} components`,
        details: problems.length === 1 ? [] : problems,
        hint:
          'see `heal-pyroscope status`; install the stack with `heal-pyroscope install`, or name only ' +
          'installed components',
      });
    }
    if (sources.length === 0) {
      throw new HealError({
        code: 'logs.not-installed',
        message: 'cannot read the logs: no component is installed',
        hint: 'install the stack with `heal-pyroscope install`',
      });
    }
    ctx.sources = sources;
    return sources.map((s) => `${s.component} on ${s.host.name}`).join(', ');
  },
};

/** Reads one container's log to its end (or until `stop`), line by line. */
export async function streamLog(
  source: LogSource,
  request: LogRequest,
  stop: AbortSignal,
  onLine: (line: ComponentLogLine) => void,
): Promise<number> {
  const log: LogStream | undefined = await source.host.remote.engine.logStream(source.container, request);
  if (!log)
    throw new HealError({
      code: 'logs.not-installed',
      message: `${source.container} on ${source.host.name} was removed while its log was being read`,
    });
  const decoder = new LogDecoder(log.multiplexed);
  let count = 0;
  const emit = (lines: DecodedLine[]) => {
    for (const line of lines) onLine({ component: source.component, host: source.host.name, ...line });
    count += lines.length;
  };
  const onStop = () => log.close();
  stop.addEventListener('abort', onStop, { once: true });
  try {
    if (stop.aborted) return count;
    for await (const chunk of log.stream)
      emit(decoder.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)));
  } catch (error) {
    // Closed on purpose (Ctrl-C): the end of the stream, not a failure.
    if (!stop.aborted) throw error;
  } finally {
    stop.removeEventListener('abort', onStop);
  }
  emit(decoder.end());
  return count;
}

/**
 * Streams the logs. Without --follow one container after the other, in the manifest's order, so
 * each reads as one block and memory stays flat however long the log; with --follow all at once,
 * lines interleaved as they come, until every container stops or Ctrl-C.
 */
export const streamPhase: Phase<LogsContext> = {
  id: 'stream',
  title: 'Read the logs',
  readOnly: true,
  async run(ctx) {
    const { sources } = ctx;
    let lines = 0;
    if (ctx.request.follow) {
      const counts = await Promise.all(sources.map((s) => streamLog(s, ctx.request, ctx.stop, ctx.onLine)));
      lines = counts.reduce((a, b) => a + b, 0);
    } else {
      for (const source of sources) lines += await streamLog(source, ctx.request, ctx.stop, ctx.onLine);
    }
    return `${lines} line(s) from ${sources.length} container(s)`;
  },
};

export function logsPhases(): Phase<LogsContext>[] {
  return [connectPhaseFor('reported', 'Connect to the server hosts'), guardWarningPhase, locatePhase, streamPhase];
}
