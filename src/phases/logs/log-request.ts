// What `logs` was asked for, as data: which components, how many lines, from when. `--since` takes
// a duration back from now (`90s`, `10m`, `1h30m`, `2d`) or a time (`2026-11-25T14:00:00Z`,
// `2026-11-25`); both become the Unix seconds the Engine API's `since` parameter takes. Pure.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Why `text` is no --since value, or the Unix seconds it stands for (`now` in milliseconds). */
export function parseSince(text: string, now: number): { seconds: number } | { problem: string } {
  const value = text.trim();
  if (/^(\d+(\.\d+)?[smhd])+$/.test(value)) {
    let seconds = 0;
    for (const [, amount, unit = ''] of value.matchAll(/(\d+(?:\.\d+)?)([smhd])/g))
      seconds += Number(amount) * (UNIT_SECONDS[unit] ?? 0);
    return { seconds: Math.floor(now / 1000 - seconds) };
  }
  // A date, or a date and time (with its zone; without one it is this machine's local time).
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(value)) {
    const ms = Date.parse(value.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return { seconds: Math.floor(ms / 1000) };
  }
  return {
    problem:
      `${JSON.stringify(text)} is neither a duration (90s, 10m, 1h30m, 2d) nor a time ` +
      `(2026-11-25T14:00:00Z, 2026-11-25)`,
  };
}

/** `--tail N`: a whole number of lines. */
export function parseTail(text: string): { lines: number } | { problem: string } {
  return /^\d+$/.test(text.trim())
    ? { lines: Number(text.trim()) }
    : { problem: `${JSON.stringify(text)} is not a number of lines (0 or more)` };
}
