// `restore FILE`: the archive is read end to end and its checksums proven before any host is
// contacted; then the install runs with the restore's steps (phases/restore), and on any failure it
// is rolled back like an install.
import { resolve } from 'node:path';
import { formatBytes } from '../backup/format.js';
import { verifyBackup } from '../backup/read.js';
import { restorePhases, type RestoreContext } from '../phases/restore/restore.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';
import { DEFAULT_WAIT_SECONDS, installRunContext, refuseBeforeContact, urls } from './install.js';

export interface RestoreFlags extends TopologyFlags, ConnectFlags {
  force?: boolean;
  forceUnlock?: boolean;
  ignoreCheck?: string[];
  wait?: number;
}

export async function runRestoreCommand(
  file: string,
  flags: RestoreFlags,
  ctx: GatherContext,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(
    flags,
    ctx,
    async (settings) => {
      const { topology } = settings;
      refuseBeforeContact(topology, flags.ignoreCheck ?? []);
      const path = resolve(ctx.cwd, file);
      out.say(`Verifying ${path}...`);
      const backup = await verifyBackup(path);
      const m = backup.manifest;
      out.say(
        `  ${m.members.length} members, every checksum matches: ${m.environment} at ${m.createdAt} by ` +
          `heal-pyroscope ${m.toolVersion} (${formatBytes(backup.bytes)})`,
      );
      const restore: RestoreContext = {
        ...installRunContext(settings, {
          ignoreChecks: flags.ignoreCheck ?? [],
          frontDoor: 'container',
          forceUnlock: flags.forceUnlock ?? false,
          healthTimeoutMs: (flags.wait ?? DEFAULT_WAIT_SECONDS) * 1000,
        }),
        restore: { backup, force: flags.force ?? false, volumes: [], notes: [] },
      };
      out.say(`Restoring heal-pyroscope on ${topology.environment}...`);
      return {
        phases: restorePhases(),
        context: restore,
        progress: { alwaysShow: ['images'] },
        cleanup: { command: 'heal-pyroscope uninstall --purge' },
        finish: (run) => ({
          document: {
            environment: topology.environment,
            backup: {
              file: path,
              bytes: backup.bytes,
              createdAt: m.createdAt,
              toolVersion: m.toolVersion,
              environment: m.environment,
            },
            volumes: restore.restore.volumes,
            notes: restore.restore.notes,
            phases: run.phases,
            containers: restore.report.outcomes,
            verified: restore.report.verified,
            rolledBack: run.rolledBack,
            statePath: restore.statePath,
            urls: urls(restore),
            error: null,
          },
          ...(run.ok ? { say: () => printRestored(restore, out) } : {}),
        }),
      };
    },
    options,
  );
}

function printRestored(restore: RestoreContext, out: Output): void {
  const u = urls(restore);
  out.say('');
  for (const v of restore.restore.volumes)
    out.say(
      `  ${v.volume.padEnd(30)} ${v.machine.padEnd(12)} ${formatBytes(v.bytes ?? 0).padStart(9)} restored in ` +
        `${((v.ms ?? 0) / 1000).toFixed(1)} s`,
    );
  for (const note of restore.restore.notes) out.warn(note);
  out.say('');
  out.say(out.color.bold('heal-pyroscope is restored and verified.'));
  out.say(
    `  Grafana  ${u.grafana}  (the users and dashboards of the backup; its credentials are in ${restore.statePath})`,
  );
}
