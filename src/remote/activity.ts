// How long each host was busy: every remote operation (connect, command, Docker call, probe)
// notes its start and end under the names of the hosts it serves; a window (one per phase, opened
// by the runner) turns them into one duration per host, from its first operation's start to its
// last one's end. Bookkeeping only: no I/O, so a phase's timing costs nothing on the wire.

interface Span {
  first: number;
  last: number;
}

export interface ActivityWindow {
  /** Milliseconds per host name, busy from first start to last end inside the window; ends the window. */
  close(): Record<string, number>;
}

interface Window {
  opened: number;
  spans: Map<string, Span>;
}

const open = new Set<Window>();

/** Notes one operation on these hosts, from `start` (performance.now()) to now. */
export function noteActivity(hosts: Iterable<string>, start: number, end: number = performance.now()): void {
  if (open.size === 0) return;
  for (const { opened, spans } of open) {
    // An operation begun before the window (a channel closing late) counts from the window's start.
    const from = Math.max(start, opened);
    for (const name of hosts) {
      const span = spans.get(name);
      if (span) {
        span.first = Math.min(span.first, from);
        span.last = Math.max(span.last, end);
      } else spans.set(name, { first: from, last: end });
    }
  }
}

/** Times `operation` as activity of these hosts (settled either way). */
export async function timed<T>(hosts: Iterable<string>, operation: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await operation();
  } finally {
    noteActivity(hosts, start);
  }
}

export function openActivityWindow(): ActivityWindow {
  const window: Window = { opened: performance.now(), spans: new Map() };
  open.add(window);
  return {
    close() {
      open.delete(window);
      return Object.fromEntries([...window.spans].map(([name, s]) => [name, Math.round(s.last - s.first)]));
    },
  };
}
