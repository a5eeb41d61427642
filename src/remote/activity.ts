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

const open = new Set<Map<string, Span>>();

/** Notes one operation on these hosts, from `start` (performance.now()) to now. */
export function noteActivity(hosts: Iterable<string>, start: number, end: number = performance.now()): void {
  if (open.size === 0) return;
  for (const window of open) {
    for (const name of hosts) {
      const span = window.get(name);
      if (span) {
        span.first = Math.min(span.first, start);
        span.last = Math.max(span.last, end);
      } else window.set(name, { first: start, last: end });
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
  const spans = new Map<string, Span>();
  open.add(spans);
  return {
    close() {
      open.delete(spans);
      return Object.fromEntries([...spans].map(([name, s]) => [name, Math.round(s.last - s.first)]));
    },
  };
}
