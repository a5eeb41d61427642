// `restore FILE`: the archive is read end to end and its checksums proven before any host is
// contacted; then the install runs with the restore's steps (phases/restore), and on any failure it
// is rolled back like an install.
import { resolve } from 'node:path';
import { formatBytes } from '../backup/format.js';
import { verifyBackup } from '../backup/read.js';
import { ExitCode, HealError } from '../core/errors.js';
import { restorePhases, type RestoreContext } from '../phases/restore/restore.js';
import { runPhases, type RunResult } from '../runner/runner.js';
import type { ConnectFlags } from '../console/connect.js';
import { gatherTopology, type GatherContext } from '../console/gather.js';
import { interruptSignal } from '../console/interrupt.js';
import { errorFields } from '../console/output.js';
import { sayFailure } from '../console/phase-output.js';
import { withPhaseProgress } from '../console/progress.js';
import type { TopologyFlags } from '../console/topology-options.js';
import { DEFAULT_WAIT_SECONDS, installRunContext, refuseBeforeContact, urls } from './install.js';

export interface RestoreFlags extends TopologyFlags, ConnectFlags {
  force?: boolean;
  forceUnlock?: boolean;
  ignoreCheck?: string[];
  wait?: number;
}

export async function runRestoreCommand(file: string, flags: RestoreFlags, ctx: GatherContext, options: { signal?: AbortSignal } = {}): Promise<number> {
  const { topology, configPath, sshConfig } = await gatherTopology(flags, ctx);
  const { out } = ctx;
  refuseBeforeContact(topology, flags.ignoreCheck ?? []);
  const path = resolve(ctx.cwd, file);
  out.say(`Verifying ${path}...`);
  const backup = await verifyBackup(path);
  const m = backup.manifest;
  out.say(`  ${m.members.length} members, every checksum matches: ${m.environment} at ${m.createdAt} by heal-pyroscope ${m.toolVersion} (${formatBytes(backup.bytes)})`);

  const restore: RestoreContext = {
    ...installRunContext(topology, configPath, flags, ctx, { ignoreChecks: flags.ignoreCheck ?? [], frontDoor: 'container', forceUnlock: flags.forceUnlock ?? false, healthTimeoutMs: (flags.wait ?? DEFAULT_WAIT_SECONDS) * 1000 }, sshConfig),
    restore: { backup, force: flags.force ?? false, volumes: [], notes: [] },
  };
  out.say(`Restoring heal-pyroscope on ${topology.environment}...`);
  const interrupt = interruptSignal(out, options.signal);
  let result: RunResult;
  try {
    const phases = restorePhases();
    result = await withPhaseProgress(out, phases, (emit) => runPhases(phases, restore, { signal: interrupt.signal, emit }), { alwaysShow: ['images'] });
  } finally {
    interrupt.dispose();
  }
  out.result({
    ok: result.ok,
    environment: topology.environment,
    backup: { file: path, bytes: backup.bytes, createdAt: m.createdAt, toolVersion: m.toolVersion, environment: m.environment },
    volumes: restore.restore.volumes,
    notes: restore.restore.notes,
    phases: result.phases,
    containers: restore.report.outcomes,
    verified: restore.report.verified,
    rolledBack: result.rolledBack,
    statePath: restore.statePath,
    urls: urls(restore),
    error: result.ok ? null : errorFields(result.error),
  });
  if (!result.ok) {
    sayFailure(result, out, 'heal-pyroscope uninstall --purge');
    const e = result.error;
    if (out.json) {
      out.say(`error: ${e.message}`);
      if (e.hint) out.say(`hint: ${e.hint}`);
      return e.exitCode;
    }
    const undone = result.rolledBack.length > 0 ? ` (rolled back ${result.rolledBack.filter((u) => u.ok).length} change(s))` : '';
    throw new HealError({ code: e.code, message: `${e.message}${undone}`, details: e.details, ...(e.hint ? { hint: e.hint } : {}), exitCode: e.exitCode });
  }
  const u = urls(restore);
  out.say('');
  for (const v of restore.restore.volumes) out.say(`  ${v.volume.padEnd(30)} ${v.machine.padEnd(12)} ${formatBytes(v.bytes ?? 0).padStart(9)} restored in ${((v.ms ?? 0) / 1000).toFixed(1)} s`);
  for (const note of restore.restore.notes) out.warn(note);
  out.say('');
  out.say(out.color.bold('heal-pyroscope is restored and verified.'));
  out.say(`  Grafana  ${u.grafana}  (the users and dashboards of the backup; its credentials are in ${restore.statePath})`);
  return ExitCode.ok;
}
