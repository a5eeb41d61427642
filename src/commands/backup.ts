// `backup FILE`: the local state and the MinIO and Grafana volumes into one archive (mode 0600: it
// holds the credentials). The file is refused before any host is contacted when it exists (unless
// --force); a failed or interrupted backup leaves no file and no paused container.
import { resolve } from 'node:path';
import { formatBytes } from '../backup/format.js';
import { BackupWriter, checkBackupTarget } from '../backup/write.js';
import { ExitCode, type HealError } from '../core/errors.js';
import { backupManifest, backupPhases, type BackupContext } from '../phases/backup/backup.js';
import { serverInventory } from '../phases/shared/reachable.js';
import { runPhases } from '../runner/runner.js';
import { statePath } from '../state/state-file.js';
import { hostConnector, type ConnectFlags } from '../console/connect.js';
import { gatherTopology, type GatherContext } from '../console/gather.js';
import { interruptSignal } from '../console/interrupt.js';
import { errorFields } from '../console/output.js';
import { withPhaseProgress } from '../console/progress.js';
import { installerVersion, operatorName, runId } from '../console/run-identity.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface BackupFlags extends TopologyFlags, ConnectFlags {
  force?: boolean;
  forceUnlock?: boolean;
}

export async function runBackupCommand(file: string, flags: BackupFlags, ctx: GatherContext, options: { signal?: AbortSignal } = {}): Promise<number> {
  const { topology, configPath, sshConfig } = await gatherTopology(flags, ctx);
  const { out } = ctx;
  const path = resolve(ctx.cwd, file);
  await checkBackupTarget(path, flags.force ?? false);
  const writer = await BackupWriter.open(path);
  const backup: BackupContext = {
    topology,
    options: { forceUnlock: flags.forceUnlock ?? false },
    operator: operatorName(),
    runId: runId(),
    statePath: statePath(topology.environment, configPath, ctx.cwd),
    installerVersion: installerVersion(),
    connect: hostConnector(flags, ctx.interactive, sshConfig),
    hosts: serverInventory(topology),
    writer,
    report: { volumes: [], images: {} },
  };
  out.say(`Backing up heal-pyroscope of ${topology.environment} into ${path}...`);
  const started = performance.now();
  const interrupt = interruptSignal(out, options.signal);
  const phases = backupPhases();
  let written: Awaited<ReturnType<BackupWriter['finish']>> | undefined;
  let failure: HealError | undefined;
  try {
    const result = await withPhaseProgress(out, phases, (emit) => runPhases(phases, backup, { signal: interrupt.signal, emit }));
    if (!result.ok) failure = result.error;
    if (!failure) written = await backup.writer.finish(backupManifest(backup, new Date()), flags.force ?? false);
  } catch (error) {
    failure = error as HealError;
  } finally {
    interrupt.dispose();
    if (!written) await writer.abort();
  }
  const seconds = (performance.now() - started) / 1000;
  out.result({
    ok: !failure,
    environment: topology.environment,
    file: path,
    mode: '0600',
    bytes: written?.bytes ?? null,
    seconds: Number(seconds.toFixed(3)),
    volumes: backup.report.volumes,
    members: written?.manifest.members ?? [],
    error: failure ? errorFields(failure) : null,
  });
  if (failure) {
    if (out.json) {
      out.say(`error: ${failure.message}`);
      if (failure.hint) out.say(`hint: ${failure.hint}`);
      return failure.exitCode;
    }
    throw failure;
  }
  out.say('');
  for (const v of backup.report.volumes) {
    const paused = v.pausedMs > 0 ? `${v.component} paused ${(v.pausedMs / 1000).toFixed(1)} s` : 'not running, not paused';
    out.say(`  ${v.volume.padEnd(30)} ${v.machine.padEnd(12)} ${formatBytes(v.bytes).padStart(9)} in ${v.entries} entries  (${paused})`);
  }
  out.say(`  ${'credentials'.padEnd(30)} ${backup.statePath}`);
  out.say('');
  out.say(out.color.bold(`Backup written: ${path} (${formatBytes(written!.bytes)} in ${seconds.toFixed(1)} s).`));
  out.say(`  Mode 0600: it holds the MinIO and Grafana credentials; keep it where only you can read it.`);
  out.say(`  Bring it back with: heal-pyroscope restore ${file}${configPath ? ` --config ${configPath}` : ''}`);
  return ExitCode.ok;
}
