// Phase: each machine pulls only the images its tiers run and lacks, machines in parallel, with
// live progress (layers, bytes) and retries with backoff. A rollback removes what this run pulled;
// the image ID each machine ends up with is recorded. What was pulled is also written to the state
// file as soon as the pulls end, so `uninstall --purge` knows which images are ours to remove.

import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, HealError } from '../../core/errors.js';
import { entryStream, savedImage, savedImageProblem } from '../../images/archive.js';
import type { Host } from '../../hosts/host.js';
import { withoutPulledImages, withPulledImages, type PulledImage } from '../../state/state-file.js';
import type { PlannedInstall } from './context.js';
import type { Phase, PhaseIo } from '../../runner/phase.js';
import { formatBytes, PULL_RETRY_DELAYS_MS, PullTally, type PullEvent } from './pull-progress.js';
import { throwIfAborted } from '../../runner/runner.js';
import { describeUndo, type HostUndo } from '../../core/undo-step.js';
import { runUndo } from '../../runner/run-undo.js';
import { Limiter } from '../../remote/limiter.js';
import { PREFLIGHT_PHASE_ID } from '../preflight/checks-phase.js';
import { settleAll } from '../../runner/settle.js';

function pullsFor(ctx: PlannedInstall, host: Host): { pull: string[]; all: string[] } {
  const tiers = ctx.planned.plan.tiers.filter((t) => host.serves(t.tier));
  return {
    pull: [...new Set(tiers.flatMap((t) => t.pull))],
    all: [...new Set(tiers.flatMap((t) => [...t.pull, ...t.present]))],
  };
}

async function pullWithRetry(host: Host, ref: string, io: PhaseIo, onEvent: (e: PullEvent) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(io.signal);
    try {
      await host.remote.engine.pullImage(ref, onEvent, io.signal);
      return;
    } catch (error) {
      const delay = PULL_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || io.signal.aborted) throw error;
      io.progress(`${host.name}: ${ref} failed (${(error as Error).message}); retrying in ${delay / 1000}s`);
      await sleep(delay, undefined, { signal: io.signal }).catch(() => undefined);
    }
  }
}

type ImagesFrom = NonNullable<PlannedInstall['options']['imagesFrom']>;

/**
 * Every image a machine lacks must be in the archive, and each such entry must load exactly that
 * image under exactly that tag (its save tar's manifest against the ID `images save` recorded):
 * checked for all machines before loading any, so a crafted archive cannot retag another image.
 */
async function checkArchiveCovers(ctx: PlannedInstall, from: ImagesFrom): Promise<void> {
  const needed = [...new Set(ctx.planned.plan.tiers.flatMap((t) => t.pull))];
  const missing = needed.filter((ref) => !(ref in from.archive.manifest.images));
  if (missing.length > 0) {
    throw new HealError({
      code: 'images.archive-incomplete',
      message: `${from.path} lacks ${missing.join(', ')}; nothing was loaded`,
      details: [`the archive holds: ${Object.keys(from.archive.manifest.images).join(', ')}`],
      hint:
        'write the archive again with `heal-pyroscope images save FILE` (with the same --registry-prefix ' +
        'as the install)',
    });
  }
  for (const ref of needed) {
    const entry = from.archive.entries.get(from.archive.manifest.images[ref] ?? '');
    if (!entry) continue;
    const problem = savedImageProblem(ref, from.archive.manifest.ids?.[ref], await savedImage(from.path, entry));
    if (problem !== undefined) {
      throw new HealError({
        code: 'images.archive-mismatch',
        message: `${from.path} is refused: ${problem}; nothing was loaded`,
        hint: 'write the archive again with `heal-pyroscope images save FILE` and keep it where only you can change it',
        exitCode: ExitCode.usage,
      });
    }
  }
}

async function loadFromArchive(host: Host, ref: string, { path, archive }: ImagesFrom, io: PhaseIo): Promise<void> {
  const name = archive.manifest.images[ref];
  const entry = name === undefined ? undefined : archive.entries.get(name);
  // checkArchiveCovers found every reference in the manifest; a manifest naming a missing entry is a broken archive.
  if (!entry)
    throw new HealError({
      code: 'images.archive-incomplete',
      message: `${path} lacks ${ref}; it was not loaded`,
      hint: 'write the archive again with `heal-pyroscope images save FILE`',
    });
  io.progress(`${host.name}: loading ${ref} from ${path}`);
  await host.remote.engine.loadImage(entryStream(path, entry), ref);
  // What the engine made of it: the ID recorded when the archive was written, or the load is undone.
  const loaded = await imageId(host, ref);
  const recorded = archive.manifest.ids?.[ref];
  if (loaded !== recorded) {
    throw new HealError({
      code: 'images.archive-mismatch',
      message: `${ref} loaded on ${host.name} from ${path} is image ${loaded}, not ${recorded ?? 'a recorded one'}`,
      hint: 'write the archive again with `heal-pyroscope images save FILE` and keep it where only you can change it',
    });
  }
}

/** Records this run's pulls in the state file: even a failed run (kept with --no-rollback) says what is ours. */
async function recordPulls(ctx: PlannedInstall, pulled: ReadonlyMap<string, PulledImage[]>): Promise<void> {
  const store = ctx.planned.state;
  // A fresh state knows every pull from the start: an empty record means "nothing pulled", not "unknown".
  if (store.isNew) await store.update((s) => ({ ...s, pulledImages: s.pulledImages ?? {} }));
  if (pulled.size === 0) return;
  await store.update(
    (s) => [...pulled].reduce((acc, [machine, images]) => withPulledImages(acc, machine, images), s),
    'always',
  );
}

/** After the rollback removed an image this run pulled: it is no longer ours to remove later. */
async function forgetPull(ctx: PlannedInstall, machine: string, ref: string): Promise<void> {
  if (!(ctx.planned.state.current.pulledImages?.[machine] ?? []).some((p) => p.ref === ref)) return;
  await ctx.planned.state.update((s) => withoutPulledImages(s, machine, [ref]));
}

async function imageId(host: Host, ref: string): Promise<string> {
  const image = await host.remote.engine.inspectImage(ref);
  if (!image) {
    throw new HealError({
      code: 'images.missing',
      message: `${ref} is not on ${host.name} after it was pulled or found there`,
      hint: 'something removed it meanwhile (a prune?); run install again',
    });
  }
  return image.id;
}

export const imagesPhase: Phase<PlannedInstall> = {
  id: 'images',
  title: 'Pull images',
  // Beside configuration: neither needs the other (storage waits for both).
  after: [PREFLIGHT_PHASE_ID],
  async run(ctx, io) {
    // Before any await: storage, started beside this phase, waits for its own machine only.
    const ready = ctx.imagesReady;
    ready.arm(ctx.hosts.servers().map((h) => h.name));
    try {
      return await pullAll(ctx, io);
    } finally {
      ready.failRest(
        new HealError({
          code: 'images.not-ready',
          message: 'the images phase ended before every machine had its images',
        }),
      );
    }
  },
  dryRun: (ctx) =>
    ctx.planned.plan.tiers.flatMap((t) => [
      ...t.pull.map((r) => `${t.machine}: ${ctx.options.imagesFrom ? 'load' : 'pull'} ${r}`),
      ...t.present.map((r) => `${t.machine}: ${r} present`),
    ]),
};

async function pullAll(ctx: PlannedInstall, io: PhaseIo): Promise<string> {
  if (ctx.options.imagesFrom) await checkArchiveCovers(ctx, ctx.options.imagesFrom);
  const { report } = ctx;
  const pulledBy = new Map<string, PulledImage[]>();
  // Every machine settles before the phase ends: a rollback never races a pull still under way.
  const settled = await Promise.allSettled(
    ctx.hosts.servers().map((host) =>
      pullMachine(ctx, host, io, pulledBy).then(
        () => ctx.imagesReady.open(host.name),
        (error: unknown) => {
          ctx.imagesReady.fail(host.name, error);
          throw error;
        },
      ),
    ),
  );
  // A non-root user's root helper pulled its image (the HAProxy one) when the lock was taken: ours too.
  for (const host of ctx.hosts.servers()) {
    const helper = host.connection?.root.pulled;
    const mine = pulledBy.get(host.name) ?? [];
    if (helper && !mine.some((p) => p.ref === helper.ref))
      pulledBy.set(host.name, [...mine, { ...helper, from: 'registry' }]);
  }
  await recordPulls(ctx, pulledBy);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  if (report.pulled.length === 0) return 'all images present, nothing pulled';
  return ctx.options.imagesFrom
    ? `${report.pulled.length} image(s) loaded from ${ctx.options.imagesFrom.path}`
    : `${report.pulled.length} image(s) pulled`;
}

/** One machine's images, pulled (or loaded) and their IDs recorded. */
async function pullMachine(
  ctx: PlannedInstall,
  host: Host,
  io: PhaseIo,
  pulledBy: Map<string, PulledImage[]>,
): Promise<void> {
  const { report } = ctx;
  const machine = host.name;
  const { pull, all } = pullsFor(ctx, host);
  const ids = new Map<string, string>();
  // A machine's images are pulled at the same time (the engine shares the layers they have in
  // common; loads from an archive go one by one, as the engine loads them), and every pull
  // settles before the machine is done: a rollback never races one.
  const limiter = new Limiter(ctx.options.imagesFrom ? 1 : Math.max(1, pull.length));
  await settleAll(
    pull.map((ref, i) =>
      limiter.run(async () => {
        throwIfAborted(io.signal);
        const tally = new PullTally();
        let last = 0;
        // The undo is registered before the pull: an interrupted pull may still leave the image.
        // Never forced: an image some container uses stays, and the undo says why.
        const step: HostUndo = { host: machine, kind: 'remove-image', ref };
        io.journal.changed(
          describeUndo(step),
          async () => {
            await runUndo(host.remote, step);
            await forgetPull(ctx, machine, ref);
          },
          step,
        );
        if (ctx.options.imagesFrom) {
          await loadFromArchive(host, ref, ctx.options.imagesFrom, io);
          report.pulled.push({ machine, ref, from: 'archive' });
        } else {
          await pullWithRetry(host, ref, io, (event) => {
            tally.add(event);
            const now = Date.now();
            if (now - last >= 500) {
              last = now;
              const s = tally.summary;
              io.progress(
                `${machine}: ${ref} (${i + 1}/${pull.length}) ${s.layersDone}/${s.layers} layers, ` +
                  `${formatBytes(s.bytes)}`,
                `${machine} ${ref}`,
              );
            }
          });
          report.pulled.push({ machine, ref });
        }
        const id = await imageId(host, ref);
        ids.set(ref, id);
        pulledBy.set(machine, [
          ...(pulledBy.get(machine) ?? []),
          { ref, id, from: ctx.options.imagesFrom ? 'archive' : 'registry' },
        ]);
      }),
    ),
  );
  for (const ref of all) if (!ids.has(ref)) ids.set(ref, await imageId(host, ref));
  report.imageIds.set(machine, ids);
}
