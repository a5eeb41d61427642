// Pull progress per host from the engine's event stream: layers done out of layers seen, and bytes
// downloaded so far. Pure, so the arithmetic is tested without an engine.

export interface PullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

export class PullTally {
  private readonly layers = new Map<string, { done: boolean; current: number; total: number }>();

  add(event: PullEvent): void {
    const id = event.id;
    const status = event.status ?? '';
    // Events without a layer id (e.g. "Pulling from ...", "Digest: ...") carry no layer state.
    if (!id || !/^[0-9a-f]{12}$/.test(id)) return;
    const layer = this.layers.get(id) ?? { done: false, current: 0, total: 0 };
    if (/^Downloading/.test(status)) {
      layer.current = event.progressDetail?.current ?? layer.current;
      layer.total = event.progressDetail?.total ?? layer.total;
    }
    if (/^(Pull complete|Already exists|Download complete)/.test(status)) {
      layer.done = /^(Pull complete|Already exists)/.test(status) || layer.done;
      if (layer.total > 0) layer.current = layer.total;
    }
    this.layers.set(id, layer);
  }

  get summary(): { layersDone: number; layers: number; bytes: number } {
    let done = 0;
    let bytes = 0;
    for (const l of this.layers.values()) {
      if (l.done) done++;
      bytes += l.current;
    }
    return { layersDone: done, layers: this.layers.size, bytes };
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** Delays before each retry: 1 s, then 4 s (three attempts in all). */
export const PULL_RETRY_DELAYS_MS = [1000, 4000] as const;
