// Readiness of one part of a phase's work, for a phase running beside it that needs only that part:
// MinIO's storage step needs db-01's image, not app-01's still being pulled. The working phase arms
// the keys it will settle before its first await; a key nobody armed is not waited for (the working
// phase was skipped, or a phase runs on its own).

interface Gate {
  promise: Promise<void>;
  settled: boolean;
  open(): void;
  fail(error: unknown): void;
}

function gate(): Gate {
  let open!: () => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  // Nobody may be waiting: a failure is the working phase's to report, not an unhandled rejection.
  promise.catch(() => undefined);
  const g: Gate = {
    promise,
    settled: false,
    open: () => ((g.settled = true), open()),
    fail: (error) => ((g.settled = true), fail(error)),
  };
  return g;
}

export class Gates {
  private readonly gates = new Map<string, Gate>();

  /** The keys the working phase will settle (call it before the phase's first await). */
  arm(keys: Iterable<string>): void {
    for (const key of keys) this.gates.set(key, gate());
  }

  open(key: string): void {
    this.gates.get(key)?.open();
  }

  /** The key's part failed: whoever waits for it fails with the same error. */
  fail(key: string, error: unknown): void {
    this.gates.get(key)?.fail(error);
  }

  /** The working phase ended: every armed key it did not settle fails with `error`. */
  failRest(error: unknown): void {
    for (const g of this.gates.values()) if (!g.settled) g.fail(error);
  }

  /** Resolves when the key's part is done (at once when no phase armed it); rejects when it failed. */
  wait(key: string): Promise<void> {
    return this.gates.get(key)?.promise ?? Promise.resolve();
  }
}
