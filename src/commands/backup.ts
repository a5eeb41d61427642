// `backup FILE`: the local state and the MinIO and Grafana volumes into one archive (mode 0600: it
// holds the credentials). The file is refused before any host is contacted when it exists (unless
// --force); a failed or interrupted backup leaves no file and no paused container.
import { resolve } from 'node:path';
import { formatBytes } from '../backup/format.js';
import { BackupWriter, checkBackupTarget } from '../backup/write.js';
import type { HealError } from '../core/errors.js';
import { backupManifest, backupPhases, type BackupContext } from '../phases/backup/backup.js';
import { serverInventory } from '../phases/shared/reachable.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import { toHealError, type Output } from '../console/output.js';
import { installerVersion, operatorName, runId } from '../console/run-identity.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface BackupFlags extends TopologyFlags, ConnectFlags {
  force?: boolean;
  forceUnlock?: boolean;
}

export async function runBackupCommand(
  file: string,
  flags: BackupFlags,
  ctx: GatherContext,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const { out } = ctx;
  const force = flags.force ?? false;
  return runPhaseCommand(
    flags,
    ctx,
    async (settings) => {
      const { topology } = settings;
      const path = resolve(ctx.cwd, file);
      await checkBackupTarget(path, force);
      const writer = await BackupWriter.open(path);
      const backup: BackupContext = {
        topology,
        options: { forceUnlock: flags.forceUnlock ?? false },
        operator: operatorName(),
        runId: runId(),
        statePath: settings.statePath,
        installerVersion: installerVersion(),
        connect: settings.connect,
        hosts: serverInventory(topology),
        writer,
        report: { volumes: [], images: {} },
      };
      out.say(`Backing up heal-pyroscope of ${topology.environment} into ${path}...`);
      const started = performance.now();
      let written: Written | undefined;
      const document = (seconds: number) => ({
        environment: topology.environment,
        file: path,
        mode: '0600',
        bytes: written?.bytes ?? null,
        seconds: Number(seconds.toFixed(3)),
        volumes: backup.report.volumes,
        members: written?.manifest.members ?? [],
        error: null,
      });
      return {
        phases: backupPhases(),
        context: backup,
        async finish(run) {
          let failure: HealError | undefined;
          if (run.ok) {
            try {
              written = await writer.finish(backupManifest(backup, new Date()), force);
            } catch (error) {
              failure = toHealError(error);
            }
          }
          const seconds = (performance.now() - started) / 1000;
          if (!written) return { document: document(seconds), ...(failure ? { failure } : {}) };
          const archive: WrittenArchive = {
            path,
            file,
            bytes: written.bytes,
            seconds,
            configPath: settings.configPath,
          };
          return { document: document(seconds), say: () => printWritten(backup, archive, out) };
        },
        // A failed or interrupted backup leaves no file.
        async release() {
          if (!written) await writer.abort();
        },
      };
    },
    options,
  );
}

type Written = Awaited<ReturnType<BackupWriter['finish']>>;

/** The archive as the summary names it: where, as typed, how big, how long, and the config to restore with. */
interface WrittenArchive {
  path: string;
  file: string;
  bytes: number;
  seconds: number;
  configPath: string | undefined;
}

function printWritten(backup: BackupContext, archive: WrittenArchive, out: Output): void {
  out.say('');
  for (const v of backup.report.volumes) {
    const paused =
      v.pausedMs > 0 ? `${v.component} paused ${(v.pausedMs / 1000).toFixed(1)} s` : 'not running, not paused';
    out.say(
      `  ${v.volume.padEnd(30)} ${v.machine.padEnd(12)} ${formatBytes(v.bytes).padStart(9)} in ${v.entries} ` +
        `entries  (${paused})`,
    );
  }
  out.say(`  ${'credentials'.padEnd(30)} ${backup.statePath}`);
  out.say('');
  out.say(
    out.color.bold(
      `Backup written: ${archive.path} (${formatBytes(archive.bytes)} in ${archive.seconds.toFixed(1)} s).`,
    ),
  );
  out.say(`  Mode 0600: it holds the MinIO and Grafana credentials; keep it where only you can read it.`);
  out.say(
    `  Bring it back with: heal-pyroscope restore ` +
      `${archive.file}${archive.configPath ? ` --config ${archive.configPath}` : ''}`,
  );
}
