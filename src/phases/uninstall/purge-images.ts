// `uninstall --purge` and images: only an image the state file records as pulled by an install is
// ours to remove, and only while its tag still names the image that was pulled and no container
// other than ours (removed just before) uses it. Decisions are pure; the phase asks Docker, which
// answers 409 for an image still in use (kept) and 404 for one already gone.

import { saveState, withoutPulledImages, type PulledImage } from '../../state/state-file.js';
import type { Phase } from '../../runner/phase.js';
import type { FoundOnTier, UninstallContext } from './uninstall-context.js';
import type { ImageAction, ImageDecision, ImageLine, ImageOutcome } from './image-decision.js';

export type { ImageAction, ImageDecision, ImageLine, ImageOutcome };

export interface EngineContainer {
  name: string;
  imageId: string;
  /** Carries our labels: removed by uninstall before the images. */
  ours: boolean;
}

export interface ImageFacts {
  /** The image ID each recorded reference names on the engine now; null when it names none. */
  resolved: ReadonlyMap<string, string | null>;
  /** Every container on the engine, running or stopped. */
  containers: readonly EngineContainer[];
  /** References our containers run: the stack's images, pulled by an install or not. */
  stackRefs: readonly string[];
}

export const NO_RECORD =
  'no record of the images heal-pyroscope pulled: no state file, or one written before pulls were recorded';
export const NOT_PULLED = 'not pulled by heal-pyroscope: it was on the host before the install';

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** What uninstall --purge does with each image on one machine, given what installs recorded there. */
export function decideImages(recorded: readonly PulledImage[] | undefined, facts: ImageFacts): ImageDecision[] {
  if (recorded === undefined)
    return [...new Set(facts.stackRefs)].map((ref) => ({ ref, action: 'keep', reason: NO_RECORD }));
  const decisions = recorded.map((image): ImageDecision => {
    const now = facts.resolved.get(image.ref) ?? null;
    if (now === null) return { ref: image.ref, action: 'gone' };
    if (image.id !== '' && now !== image.id) {
      return {
        ref: image.ref,
        action: 'keep',
        reason:
          `the tag now names another image (${short(now)}) than the one heal-pyroscope pulled ` +
          `(${short(image.id)})`,
      };
    }
    const users = facts.containers.filter((c) => !c.ours && c.imageId === now).map((c) => c.name);
    if (users.length > 0)
      return {
        ref: image.ref,
        action: 'keep',
        reason: `used by container${users.length > 1 ? 's' : ''} ${users.join(', ')}`,
      };
    return { ref: image.ref, action: 'remove' };
  });
  const pulled = new Set(recorded.map((r) => r.ref));
  const others = [...new Set(facts.stackRefs)]
    .filter((ref) => !pulled.has(ref))
    .map((ref): ImageDecision => ({ ref, action: 'keep', reason: NOT_PULLED }));
  return [...decisions, ...others];
}

export interface ImageReport {
  /** False when the state file holds no record of pulls: then no image is removed. */
  recorded: boolean;
  removed: ImageLine[];
  /** Dry run with --purge: what a real run would remove. */
  wouldRemove: ImageLine[];
  kept: ImageLine[];
  /** Recorded as pulled, but no longer on the machine. */
  alreadyGone: ImageLine[];
}

export const KEPT_WITHOUT_PURGE = 'pulled by heal-pyroscope; removed with --purge';

/** The images part of the uninstall summary: what was done where the purge got to, else what was decided. */
export function imageReport(
  found: readonly FoundOnTier[],
  outcomes: readonly ImageOutcome[],
  options: { purge: boolean; dryRun: boolean; recorded: boolean },
): ImageReport {
  const report: ImageReport = { recorded: options.recorded, removed: [], wouldRemove: [], kept: [], alreadyGone: [] };
  const done = new Map(outcomes.map((o) => [`${o.machine} ${o.ref}`, o]));
  for (const f of found) {
    for (const d of f.images) {
      const line: ImageLine = { machine: f.machine, ref: d.ref };
      const outcome = done.get(`${f.machine} ${d.ref}`);
      if (outcome) {
        if (outcome.result === 'removed') report.removed.push(line);
        else if (outcome.result === 'gone') report.alreadyGone.push(line);
        else report.kept.push({ ...line, reason: outcome.reason ?? '' });
      } else if (d.action === 'keep') report.kept.push({ ...line, reason: d.reason });
      else if (d.action === 'gone') report.alreadyGone.push(line);
      else if (!options.purge) report.kept.push({ ...line, reason: KEPT_WITHOUT_PURGE });
      else if (options.dryRun) report.wouldRemove.push(line);
      else report.kept.push({ ...line, reason: 'not reached: the uninstall stopped before the images' });
    }
  }
  return report;
}

function hostOf(ctx: UninstallContext, found: FoundOnTier) {
  return ctx.hosts.forTier(found.tier);
}

export const purgeImagesPhase: Phase<UninstallContext> = {
  id: 'images',
  title: 'Remove the images installs pulled (--purge)',
  shouldRun: (ctx) => ctx.options.purge && ctx.report.found.some((f) => f.images.some((d) => d.action !== 'keep')),
  async run(ctx) {
    for (const f of ctx.report.found) {
      const engine = hostOf(ctx, f).remote.engine;
      const forget: string[] = [];
      for (const d of f.images) {
        const base = { machine: f.machine, ref: d.ref };
        if (d.action === 'keep') {
          ctx.report.images.push({ ...base, result: 'kept', reason: d.reason });
          continue;
        }
        const root = hostOf(ctx, f).connection?.root;
        if (d.action === 'remove' && root?.via === 'engine' && d.ref === ctx.topology.images.haproxy) {
          // The image of this very run's root helper: removed once the helper is gone, as the command ends.
          root.dropImageOnClose(d.ref);
          ctx.report.images.push({ ...base, result: 'removed' });
          ctx.report.removed.push(`${f.machine}: image ${d.ref} (as the command ends: its root helper uses it)`);
          forget.push(d.ref);
          continue;
        }
        if (d.action === 'remove') {
          // Not forced: Docker refuses an image a container still uses, whoever created it.
          const answer = await engine.removeImage(d.ref);
          if (answer.result === 'in-use') {
            ctx.report.images.push({ ...base, result: 'kept', reason: `in use (Docker: ${answer.detail})` });
            continue;
          }
          if (answer.result === 'removed') {
            ctx.report.images.push({ ...base, result: 'removed' });
            ctx.report.removed.push(`${f.machine}: image ${d.ref}`);
            forget.push(d.ref);
            continue;
          }
        }
        ctx.report.images.push({ ...base, result: 'gone' });
        forget.push(d.ref);
      }
      // The record follows the hosts: a purge that stops half-way (or keeps the state) stays exact.
      if (forget.length > 0 && ctx.state) {
        ctx.state = withoutPulledImages(ctx.state, f.machine, forget);
        await saveState(ctx.statePath, ctx.state);
      }
    }
    const count = (r: ImageOutcome['result']) => ctx.report.images.filter((i) => i.result === r).length;
    return (
      `${count('removed')} removed, ${count('kept')} ` + `kept${count('gone') ? `, ${count('gone')} already gone` : ''}`
    );
  },
  dryRun: (ctx) =>
    ctx.report.found.flatMap((f) =>
      f.images.map((d) =>
        d.action === 'remove'
          ? `${f.machine}: remove image ${d.ref}`
          : d.action === 'gone'
            ? `${f.machine}: ${d.ref} already gone`
            : `${f.machine}: keep image ${d.ref}: ${d.reason}`,
      ),
    ),
};
