// `uninstall`: remove exactly what install created on every reachable server host (by labels and
// our directories); data volumes, the images installs pulled and the local state stay unless
// --purge, which needs a typed confirmation on a terminal or --yes. An unreachable host is reported
// and the exit code is 1.
import { ExitCode, HealError } from '../core/errors.js';
import { HOST_ROOT } from '../core/host-paths.js';
import { imageReport, type ImageReport } from '../phases/uninstall/purge-images.js';
import { unreachableServers } from '../phases/shared/reachable.js';
import { runPhases } from '../runner/runner.js';
import { uninstallPhases } from '../phases/uninstall/uninstall.js';
import { newUninstallContext, type UninstallContext } from '../phases/uninstall/uninstall-context.js';
import { statePath } from '../state/state-file.js';
import { describeLeft, loadPendingUndo, pendingUndoPath } from '../state/pending-undo.js';
import { hostConnector, type ConnectFlags } from '../console/connect.js';
import { gatherTopology, type GatherContext } from '../console/gather.js';
import { interruptSignal } from '../console/interrupt.js';
import { errorFields } from '../console/output.js';
import { withPhaseProgress } from '../console/progress.js';
import type { TopologyFlags } from '../console/topology-options.js';
import { operatorName, runId } from '../console/run-identity.js';

export interface UninstallFlags extends TopologyFlags, ConnectFlags {
  dryRun?: boolean;
  purge?: boolean;
  forceUnlock?: boolean;
}

async function confirmPurge(environment: string, flags: UninstallFlags, ctx: GatherContext): Promise<void> {
  if (flags.yes || flags.dryRun) return;
  if (!ctx.interactive) {
    throw new HealError({
      code: 'usage.purge-confirm',
      message: '--purge deletes the data volumes, the images installs pulled and the credentials: it needs confirmation',
      hint: 'run it on a terminal to type the confirmation, or add --yes',
      exitCode: ExitCode.usage,
    });
  }
  const { input } = await import('@inquirer/prompts');
  const typed = await input({ message: `This deletes all profiles, traces and dashboards of "${environment}". Type the environment name to confirm:` });
  if (typed.trim() !== environment) {
    throw new HealError({ code: 'uninstall.not-confirmed', message: 'not confirmed; nothing was changed', exitCode: ExitCode.usage });
  }
}

export async function runUninstallCommand(flags: UninstallFlags, ctx: GatherContext, options: { signal?: AbortSignal } = {}): Promise<number> {
  const { topology, configPath, sshConfig } = await gatherTopology(flags, ctx);
  const { out } = ctx;
  if (flags.purge) await confirmPurge(topology.environment, flags, ctx);
  const path = statePath(topology.environment, configPath, ctx.cwd);
  const un = newUninstallContext(
    {
      topology,
      options: { purge: flags.purge ?? false, forceUnlock: flags.forceUnlock ?? false },
      operator: operatorName(),
      runId: runId(),
      statePath: path,
      connect: hostConnector(flags, ctx.interactive, sshConfig),
    },
    await loadPendingUndo(pendingUndoPath(path)),
  );
  out.say(flags.dryRun ? 'Dry run: nothing will be removed.' : `Uninstalling heal-pyroscope from ${topology.environment}...`);
  for (const left of un.undo.found) out.say(flags.dryRun ? `would first finish ${describeLeft(left)}` : `finishing ${describeLeft(left)} first`);
  const interrupt = interruptSignal(out, options.signal);
  const phases = uninstallPhases();
  const result = await withPhaseProgress(out, phases, (emit) => runPhases(phases, un, { dryRun: flags.dryRun ?? false, noRollback: true, signal: interrupt.signal, emit }), { dryRun: flags.dryRun ?? false }).finally(() =>
    interrupt.dispose(),
  );
  const ok = result.ok && unreachableServers(un.hosts).length === 0 && un.undo.left.length === 0;
  const images = imageReport(un.report.found, un.report.images, { purge: un.options.purge, dryRun: result.dryRun, recorded: un.report.pullRecord.recorded });
  const keptLines = kept(un, images, result.dryRun);
  out.result({
    ok,
    dryRun: result.dryRun,
    environment: topology.environment,
    purge: un.options.purge,
    phases: result.phases,
    removed: un.report.removed,
    unreachable: unreachableServers(un.hosts),
    kept: keptLines,
    images: { ...images, ...(un.report.pullRecord.recorded ? {} : { why: un.report.pullRecord.why }) },
    error: result.ok ? null : errorFields(result.error),
  });
  if (!result.ok) {
    if (out.json) {
      out.say(`error: ${result.error.message}`);
      return result.error.exitCode;
    }
    throw result.error;
  }
  out.say('');
  if (result.dryRun) {
    for (const line of keptLines) out.say(`  would keep: ${line}`);
  } else {
    out.say(un.report.removed.length === 0 ? 'Nothing of heal-pyroscope was found: nothing to remove.' : `Removed ${un.report.removed.length} item(s).`);
    for (const i of images.removed) out.say(`  removed: ${i.machine}: image ${i.ref}`);
    if (un.options.purge) for (const i of images.alreadyGone) out.say(`  already gone: ${i.machine}: image ${i.ref}`);
    for (const line of keptLines) out.say(`  kept: ${line}`);
  }
  if (un.options.purge && !un.report.pullRecord.recorded) out.say(`  images: none removed, ${un.report.pullRecord.why}`);
  for (const left of un.undo.left) out.warn(`still pending: ${describeLeft(left)} (${left.why}); kept in ${un.undo.path}: the next install or uninstall finishes them first`);
  if (unreachableServers(un.hosts).length > 0) {
    out.warn(`not reached, so not cleaned: ${unreachableServers(un.hosts).map((u) => `${u.machine} (${u.error})`).join('; ')}`);
    out.say('Run `heal-pyroscope uninstall` again once they are reachable to finish.');
    return ExitCode.failed;
  }
  return ok ? ExitCode.ok : ExitCode.failed;
}

function kept(un: UninstallContext, images: ImageReport, dryRun: boolean): string[] {
  const lines = un.options.purge ? [] : un.report.found.flatMap((f) => f.volumes.map((v) => `${f.machine}: volume ${v} (data; remove with --purge)`));
  lines.push(...images.kept.map((i) => `${i.machine}: image ${i.ref} (${i.reason})`));
  lines.push(...un.report.rootsKept.map((m) => `${m}: ${HOST_ROOT} (it holds files heal-pyroscope did not write)`));
  if (!dryRun) lines.push(...un.undo.left.map((l) => `${l.host}: ${describeLeft(l)}, in ${un.undo.path} (${l.why})`));
  // With a host left unreached, --purge keeps the credentials to finish the job later.
  const stateStays = dryRun ? !un.options.purge || unreachableServers(un.hosts).length > 0 : !un.report.stateRemoved;
  if (stateStays) lines.push(`${un.statePath} (credentials, reused by the next install)`);
  return lines;
}
