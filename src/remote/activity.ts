// How long each host was busy: every remote operation (connect, command, Docker call, probe)
// notes its start and end under the names of the hosts it serves; a window (one per phase, opened
// by the runner) turns them into one duration per host, from its first operation's start to its
// last one's end. Bookkeeping only: no I/O, so a phase's timing costs nothing on the wire. Phases
// may run at the same time: an operation counts in the window of the phase it runs for (the async
// context it was started in), and only where that is unknown in every open window.

import { AsyncLocalStorage } from 'node:async_hooks';

interface Span {
  first: number;
  last: number;
}

export interface ActivityWindow {
  /** Runs `work` as this window's: the operations it starts count here, not in other open windows. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Milliseconds per host name, busy from first start to last end inside the window; ends the window. */
  close(): Record<string, number>;
}

interface Window {
  opened: number;
  spans: Map<string, Span>;
}

const open = new Set<Window>();
const current = new AsyncLocalStorage<Window>();

/** The windows an operation started now counts in: its phase's, or every open one outside a phase. */
function windowsNow(): Window[] {
  const mine = current.getStore();
  if (mine) return open.has(mine) ? [mine] : [];
  return [...open];
}

/** Notes one operation on these hosts, from `start` (performance.now()) to now. */
export function noteActivity(hosts: Iterable<string>, start: number, end: number = performance.now()): void {
  if (open.size === 0) return;
  note(windowsNow(), hosts, start, end);
}

/**
 * An operation that ends in a callback (a channel's 'close', which runs outside the phase's async
 * context): the windows are taken now, when it starts; call the result when it ends.
 */
export function beginActivity(hosts: Iterable<string>, start: number = performance.now()): () => void {
  const windows = open.size === 0 ? [] : windowsNow();
  const names = [...hosts];
  return () =>
    note(
      windows.filter((w) => open.has(w)),
      names,
      start,
      performance.now(),
    );
}

function note(windows: readonly Window[], hosts: Iterable<string>, start: number, end: number): void {
  for (const { opened, spans } of windows) {
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
    run: (work) => current.run(window, work),
    close() {
      open.delete(window);
      return Object.fromEntries([...window.spans].map(([name, s]) => [name, Math.round(s.last - s.first)]));
    },
  };
}
