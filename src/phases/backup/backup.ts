// `backup`, as phases: connect to the server hosts, lock them (no install or uninstall meanwhile),
// then write the local state and each data volume into the archive. A running container is paused
// only while its own volume is read through the engine's archive endpoint, so what is copied is one
// moment of it; how long is measured and reported.

import { guardWarningPhase } from '../shared/guard.js';
import type { Topology } from '../../config/topology.js';
import { HealError } from '../../core/errors.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { BackupWriter } from '../../backup/write.js';
import { BACKED_UP, type BackedUpVolume, type BackupManifest } from '../../backup/format.js';
import { fromHostsNote, requiredState } from '../shared/host-state.js';
import { component, containerName, type ComponentName } from '../../stack/manifest.js';
import { connectPhaseFor, type Connector } from '../shared/connect.js';
import { volumeName } from '../../plan/container-spec.js';
import { lockPhase } from '../shared/lock.js';
import type { Phase, PhaseIo } from '../../runner/phase.js';
import { throwIfAborted } from '../../runner/runner.js';
import { readFile } from 'node:fs/promises';

export interface VolumeRead extends BackedUpVolume {
  bytes: number;
  entries: number;
  /** Time spent reading it (the container was paused for `pausedMs` of it). */
  readMs: number;
}

export interface BackupContext {
  topology: Topology;
  options: { forceUnlock: boolean };
  operator: string;
  runId: string;
  statePath: string;
  installerVersion: string;
  connect: Connector;
  /** The server machines. */
  hosts: Inventory;
  writer: BackupWriter;
  report: { volumes: VolumeRead[]; images: Partial<Record<ComponentName, string>> };
}

export const backupStatePhase: Phase<BackupContext> = {
  id: 'state',
  title: 'Back up the local state (credentials)',
  async run(ctx, io) {
    // loadState refuses a file that is not ours; then its bytes go in as they are. Without one, the
    // credentials the installed stack runs with, read from its hosts.
    const found = await requiredState(ctx, io, {
      code: 'backup.no-state',
      hint: 'run backup where install ran (the state is beside its config file), or pass that --config',
    });
    const bytes =
      found.source === 'local'
        ? await readFile(ctx.statePath)
        : Buffer.from(`${JSON.stringify(found.state, null, 2)}\n`, 'utf8');
    const member = await ctx.writer.addState(bytes);
    return found.source === 'local'
      ? `${member.bytes} bytes`
      : `${member.bytes} bytes; ${fromHostsNote(ctx.statePath)}`;
  },
};

async function readVolume(ctx: BackupContext, name: ComponentName, io: PhaseIo): Promise<VolumeRead> {
  const c = component(name);
  const dataPath = c.dataPath;
  if (!dataPath) throw new Error(`${name} has no data volume to back up`);
  const host = ctx.hosts.forTier(c.tier);
  const engine = host.remote.engine;
  const container = containerName(c);
  const found = await engine.inspectContainer(container);
  if (!found) {
    throw new HealError({
      code: 'backup.not-installed',
      message: `${name} is not installed on ${host.name} (no container ${container}): nothing to back up`,
      hint: 'back up an installed stack: run `heal-pyroscope status` to see what is there',
    });
  }
  throwIfAborted(io.signal);
  const started = performance.now();
  let pausedAt: number | undefined;
  let pausedMs = 0;
  io.progress(`${host.name}: reading ${volumeName(name)}${found.running ? ` (${container} paused)` : ''}`);
  if (found.running && (await engine.pauseContainer(container)) === 'paused') pausedAt = performance.now();
  let member;
  try {
    const tar = await engine.getArchive(container, dataPath);
    member = await ctx.writer.addVolume(name, tar, io.signal);
  } finally {
    if (pausedAt !== undefined) {
      await engine.unpauseContainer(container);
      pausedMs = Math.round(performance.now() - pausedAt);
    }
  }
  return {
    component: name,
    machine: host.name,
    volume: volumeName(name),
    path: dataPath,
    image: found.image,
    pausedMs,
    bytes: member.bytes,
    entries: member.entries,
    readMs: Math.round(performance.now() - started),
  };
}

export const backupVolumesPhase: Phase<BackupContext> = {
  id: 'volumes',
  title: 'Back up the data volumes (MinIO, Grafana)',
  async run(ctx, io) {
    for (const name of BACKED_UP) {
      const read = await readVolume(ctx, name, io);
      ctx.report.volumes.push(read);
      ctx.report.images[name] = read.image;
    }
    return ctx.report.volumes.map((v) => `${v.component} paused ${(v.pausedMs / 1000).toFixed(1)} s`).join(', ');
  },
};

/** The manifest of what the phases wrote (the writer adds the members). */
export function backupManifest(ctx: BackupContext, createdAt: Date): Omit<BackupManifest, 'members'> {
  const t = ctx.topology;
  return {
    format: 'heal-pyroscope-backup/1',
    toolVersion: ctx.installerVersion,
    createdAt: createdAt.toISOString(),
    environment: t.environment,
    topology: { web: t.web.host, app: t.app.host, db: t.db.host, targets: t.targets.map((h) => h.host) },
    images: ctx.report.images,
    volumes: ctx.report.volumes.map(({ component: c, machine, volume, path, image, pausedMs }) => ({
      component: c,
      machine,
      volume,
      path,
      image,
      pausedMs,
    })),
  };
}

export function backupPhases(): Phase<BackupContext>[] {
  return [
    connectPhaseFor('fails', 'Connect to the server hosts'),
    guardWarningPhase,
    lockPhase<BackupContext>('backup'),
    backupStatePhase,
    backupVolumesPhase,
  ];
}
