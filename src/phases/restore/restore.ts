// `restore`, as the install's own phase list with three steps added: before anything changes, a
// check that no container of ours exists and that no volume to fill holds data (unless --force);
// the credentials from the archive written as the local state before the facts phase renders the
// configuration; and, once the images are there and before the containers start, each volume filled
// through the engine's archive endpoint into a created-but-never-started container of the
// component's own image. Everything it creates is journalled, so a failed restore rolls back.

import { dirname } from 'node:path';
import { formatBytes } from '../../backup/format.js';
import { streamVolumes, type VerifiedBackup } from '../../backup/read.js';
import { HealError } from '../../core/errors.js';
import { loadState, removeState, saveState, type InstallState } from '../../state/state-file.js';
import { component, containerName, type ComponentName } from '../../stack/manifest.js';
import { ownedLabels, volumeName } from '../../plan/container-spec.js';
import { afterPlanning, type InstallContext, type PlannedInstall } from '../install/context.js';
import { installPhases } from '../install/install.js';
import { lockPhase } from '../shared/lock.js';
import type { Phase } from '../../runner/phase.js';
import { insertBefore, replacePhase } from '../../runner/phase-list.js';
import { throwIfAborted } from '../../runner/runner.js';

export interface VolumeRestore {
  component: ComponentName;
  machine: string;
  volume: string;
  /** It existed before the restore (empty, or holding data and replaced with --force). */
  existed: boolean;
  /** Bytes it held before (0: empty or new). */
  previousBytes: number;
  /** Bytes and entries written into it (after the restore step ran). */
  bytes?: number;
  entries?: number;
  ms?: number;
}

export interface RestoreContext extends InstallContext {
  restore: {
    backup: VerifiedBackup;
    /** Replace a volume that holds data, and local state with other credentials. */
    force: boolean;
    volumes: VolumeRestore[];
    /** What the operator should know (an image that differs from the one backed up). */
    notes: string[];
  };
}

type PlannedRestore = PlannedInstall & RestoreContext;

/** The same credentials: the archive's and the local state's data go together. */
function sameSecrets(a: InstallState['secrets'], b: InstallState['secrets']): boolean {
  return (
    a.minioAccessKey === b.minioAccessKey &&
    a.minioSecretKey === b.minioSecretKey &&
    a.grafanaAdminUser === b.grafanaAdminUser &&
    a.grafanaAdminPassword === b.grafanaAdminPassword
  );
}

/**
 * Refusals first, reading only: an existing container of a component to restore (restore fills the
 * volumes before the containers start), and a volume that holds data without --force.
 */
export const restoreCheckPhase: Phase<RestoreContext> = {
  id: 'restore-check',
  title: 'Check the volumes to restore',
  readOnly: true,
  async run(ctx) {
    const volumes: VolumeRestore[] = [];
    for (const backedUp of ctx.restore.backup.manifest.volumes) {
      const c = component(backedUp.component);
      const host = ctx.hosts.forTier(c.tier);
      const engine = host.remote.engine;
      const container = containerName(c);
      if (await engine.inspectContainer(container)) {
        throw new HealError({
          code: 'restore.installed',
          message:
            `${container} exists on ${host.name}: restore fills the volumes before the containers ` +
            `start; nothing was changed`,
          hint: 'run `heal-pyroscope uninstall` first (with --purge the volumes go too), then restore',
        });
      }
      const name = volumeName(c.name);
      const existing = (await engine.listVolumes()).some((v) => v.name === name);
      const bytes = existing ? ((await engine.volumeSizes()).get(name) ?? -1) : 0;
      // -1: the engine did not say; a volume we cannot judge is treated as holding data.
      if (existing && bytes !== 0 && !ctx.restore.force) {
        throw new HealError({
          code: 'restore.volume-has-data',
          message:
            `volume ${name} on ${host.name} holds data ` +
            `(${bytes < 0 ? 'size unknown' : formatBytes(bytes)}): restore never overwrites it; nothing was changed`,
          hint:
            'remove it with `heal-pyroscope uninstall --purge` (back it up first if it matters), or add ' +
            '--force to replace its content',
        });
      }
      volumes.push({
        component: c.name,
        machine: host.name,
        volume: name,
        existed: existing,
        previousBytes: Math.max(bytes, 0),
      });
    }
    ctx.restore.volumes = volumes;
    return volumes
      .map(
        (v) =>
          `${v.machine}: ${v.volume} ` +
          `${v.existed ? (v.previousBytes > 0 ? 'holds data (--force: replaced)' : 'empty') : 'new'}`,
      )
      .join(', ');
  },
};

/** The archive's credentials become the local state (the previous file is put back on rollback). */
export const restoreStatePhase: Phase<RestoreContext> = {
  id: 'restore-state',
  title: 'Restore the credentials (local state)',
  async run(ctx, io) {
    const archived = ctx.restore.backup.state;
    const previous = await loadState(ctx.statePath);
    if (previous && sameSecrets(previous.secrets, archived.secrets))
      return `${ctx.statePath} already holds the backed-up credentials`;
    if (previous && !ctx.restore.force) {
      throw new HealError({
        code: 'restore.state',
        message:
          `${ctx.statePath} holds other credentials than the backup (another installation of ` +
          `${ctx.topology.environment}?); nothing was changed`,
        hint:
          'uninstall that installation with --purge first, or add --force to replace the local state (it ' +
          'is put back if the restore fails)',
      });
    }
    // Only the credentials: what was installed where, and which images were pulled, are this run's to record.
    await saveState(ctx.statePath, { version: 1, environment: ctx.topology.environment, secrets: archived.secrets });
    io.journal.changed(`put back ${ctx.statePath}`, async () => {
      if (previous) await saveState(ctx.statePath, previous);
      else await removeState(ctx.statePath);
    });
    return `credentials written to ${ctx.statePath} (mode 0600)`;
  },
  dryRun: (ctx) => [`write the credentials of the backup into ${ctx.statePath}`],
};

export const restoreVolumesPhase: Phase<PlannedRestore> = {
  id: 'restore-volumes',
  title: 'Fill the data volumes from the backup',
  async run(ctx, io) {
    await streamVolumes(
      ctx.restore.backup,
      async (name, tar) => {
        throwIfAborted(io.signal);
        const spec = ctx.planned.specs.find((s) => s.component === name);
        const target = ctx.restore.volumes.find((v) => v.component === name);
        if (!spec?.volume || !target)
          throw new HealError({
            code: 'restore.archive',
            message: `the backup holds a volume of ${name}, which this stack does not mount`,
          });
        const host = ctx.hosts.forTier(spec.tier);
        const engine = host.remote.engine;
        const started = performance.now();
        if (target.existed && target.previousBytes > 0) {
          // --force: the old content goes (a volume cannot be renamed aside); said in --help and docs/commands.md.
          io.progress(`${host.name}: replacing the content of ${target.volume} (--force)`);
          await engine.removeVolume(target.volume);
        }
        const { created } = await engine.ensureVolume(target.volume, ownedLabels(name));
        if (created) {
          io.journal.changed(`remove volume ${target.volume} on ${host.name}`, async () => {
            await engine.removeVolume(target.volume);
          });
        }
        // The component's own image, created and never started: the engine mounts the volume for the copy.
        const helper = `${spec.name}-restore-${ctx.runId}`;
        const id = await engine.createContainer({
          name: helper,
          Image: spec.image,
          Labels: ownedLabels(name),
          HostConfig: {
            Mounts: [{ Type: 'volume', Source: target.volume, Target: spec.volume.target }],
            NetworkMode: 'none',
          },
        });
        io.journal.changed(`remove container ${helper} on ${host.name}`, async () => {
          await engine.removeContainer(id);
        });
        io.progress(`${host.name}: filling ${target.volume}`);
        await engine.putArchive(id, dirname(spec.volume.target), tar);
        await engine.removeContainer(id);
        target.ms = Math.round(performance.now() - started);
      },
      io.signal,
    );
    for (const v of ctx.restore.volumes) {
      const member = ctx.restore.backup.manifest.members.find((m) => m.name === `volumes/${v.component}`);
      v.bytes = member?.bytes ?? 0;
      v.entries = member?.entries ?? 0;
    }
    for (const [name, image] of Object.entries(ctx.restore.backup.manifest.images)) {
      const now = ctx.planned.specs.find((s) => s.component === name)?.image;
      if (now && image && now !== image)
        ctx.restore.notes.push(`${name} was backed up from ${image} and now runs ${now}`);
    }
    return ctx.restore.volumes.map((v) => `${v.volume} ${formatBytes(v.bytes ?? 0)}`).join(', ');
  },
  dryRun: (ctx) => ctx.restore.volumes.map((v) => `${v.machine}: fill ${v.volume} from the backup`),
};

/** The install list, with the restore's lock, refusals, credentials and volume filling in their places. */
export function restorePhases(): Phase<RestoreContext>[] {
  const install: Phase<RestoreContext>[] = installPhases();
  const locked = replacePhase(install, 'lock', lockPhase<RestoreContext>('restore'));
  // After the lock and whatever the install does before planning (finishing a failed run's undo).
  const checked = insertBefore(locked, 'facts', restoreCheckPhase, restoreStatePhase);
  return insertBefore(checked, 'storage', afterPlanning(restoreVolumesPhase));
}
