// Phase: each machine pulls only the images its tiers run and lacks, machines in parallel, with
// live progress (layers, bytes) and retries with backoff. A rollback removes what this run pulled;
// the image ID each machine ends up with is recorded.

import { setTimeout as sleep } from 'node:timers/promises';
import type { PullProgress } from '../remote/index.js';
import { distinctMachines, type InstallContext, type TierHost } from './context.js';
import type { Phase, PhaseIo } from './phase.js';
import { formatBytes, PULL_RETRY_DELAYS_MS, PullTally, type PullEvent } from './pull-progress.js';
import { throwIfAborted } from './runner.js';

function pullsFor(ctx: InstallContext, group: readonly TierHost[]): { pull: string[]; all: string[] } {
  const tiers = ctx.plan!.tiers.filter((t) => group.some((g) => g.tier === t.tier));
  return { pull: [...new Set(tiers.flatMap((t) => t.pull))], all: [...new Set(tiers.flatMap((t) => [...t.pull, ...t.present]))] };
}

async function pullWithRetry(th: TierHost, ref: string, io: PhaseIo, onEvent: (e: PullEvent) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(io.signal);
    try {
      await th.remote.pullImage(ref, (e: PullProgress) => onEvent(e as PullEvent), io.signal);
      return;
    } catch (error) {
      const delay = PULL_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || io.signal.aborted) throw error;
      io.progress(`${th.machine.name}: ${ref} failed (${(error as Error).message}); retrying in ${delay / 1000}s`);
      await sleep(delay, undefined, { signal: io.signal }).catch(() => undefined);
    }
  }
}

export const imagesPhase: Phase<InstallContext> = {
  id: 'images',
  title: 'Pull images',
  async run(ctx, io) {
    const groups = distinctMachines(ctx.tierHosts);
    await Promise.all(
      groups.map(async (group) => {
        const th = group[0]!;
        const { pull, all } = pullsFor(ctx, group);
        for (const [i, ref] of pull.entries()) {
          throwIfAborted(io.signal);
          const tally = new PullTally();
          let last = 0;
          // The undo is registered before the pull: an interrupted pull may still leave the image.
          io.journal.changed(`remove image ${ref} pulled on ${th.machine.name}`, async () => {
            await th.remote.docker.getImage(ref).remove().catch((e: { statusCode?: number }) => {
              if (e.statusCode !== 404) throw e;
            });
          });
          await pullWithRetry(th, ref, io, (event) => {
            tally.add(event);
            const now = Date.now();
            if (now - last >= 500) {
              last = now;
              const s = tally.summary;
              io.progress(`${th.machine.name}: ${ref} (${i + 1}/${pull.length}) ${s.layersDone}/${s.layers} layers, ${formatBytes(s.bytes)}`);
            }
          });
          ctx.pulled.push({ machine: th.machine.name, ref });
        }
        const ids = new Map<string, string>();
        for (const ref of all) ids.set(ref, ((await th.remote.docker.getImage(ref).inspect()) as { Id: string }).Id);
        ctx.imageIds.set(th.machine.name, ids);
      }),
    );
    return ctx.pulled.length === 0 ? 'all images present, nothing pulled' : `${ctx.pulled.length} image(s) pulled`;
  },
  dryRun: (ctx) => ctx.plan!.tiers.flatMap((t) => [...t.pull.map((r) => `${t.machine}: pull ${r}`), ...t.present.map((r) => `${t.machine}: ${r} present`)]),
};
