// A timer for "the handshake must finish within N ms" that stops while a person is being asked
// something: a passphrase prompt must not make the connection time out behind the operator's back.

export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private remaining: number;
  private startedAt = 0;
  private pauses = 0;
  private done = false;

  constructor(
    ms: number,
    private readonly onExpire: () => void,
  ) {
    this.remaining = ms;
    this.start();
  }

  /** Runs `task` with the clock stopped; nested and concurrent pauses are counted. */
  async paused<T>(task: () => Promise<T>): Promise<T> {
    if (this.pauses++ === 0) this.stop();
    try {
      return await task();
    } finally {
      if (--this.pauses === 0) this.start();
    }
  }

  clear(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.done) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(
      () => {
        this.done = true;
        this.onExpire();
      },
      Math.max(0, this.remaining),
    );
  }

  private stop(): void {
    if (this.done || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.startedAt;
  }
}

/** `500 ms`, `10 s`, `1.5 s`: how messages state a limit. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
