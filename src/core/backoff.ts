// The one shape of every poll that waits for something to come up (a container's health, a test
// listener, an endpoint that has just started): a first delay, growing by a factor each attempt, up
// to a cap. Each caller names its own numbers.

export interface Backoff {
  firstMs: number;
  factor: number;
  capMs: number;
}

/** The delay before poll number `attempt + 1` (attempt 0 is the wait after the first poll), in whole milliseconds. */
export function backoffMs(attempt: number, { firstMs, factor, capMs }: Backoff): number {
  return Math.min(Math.round(firstMs * factor ** attempt), capMs);
}
