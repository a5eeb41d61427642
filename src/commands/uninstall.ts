// `uninstall`: remove exactly what install created on every reachable server host (by labels and
// our directories); data volumes, the images installs pulled and the local state stay unless
// --purge, which needs a typed confirmation on a terminal or --yes. An unreachable host is reported
// and the exit code is 1.
import { ExitCode, HealError } from '../core/errors.js';
import { HOST_ROOT } from '../core/host-paths.js';
import { imageReport, type ImageReport } from '../phases/uninstall/purge-images.js';
import { unreachableServers } from '../phases/shared/reachable.js';
import { unfinishedError, uninstallPhases } from '../phases/uninstall/uninstall.js';
import { newUninstallContext, type UninstallContext } from '../phases/uninstall/uninstall-context.js';
import { describeLeft, loadPendingUndo, pendingUndoPath } from '../state/pending-undo.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
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
      message:
        '--purge deletes the data volumes, the images installs pulled and the credentials: it needs confirmation',
      hint: 'run it on a terminal to type the confirmation, or add --yes',
      exitCode: ExitCode.usage,
    });
  }
  const { input } = await import('@inquirer/prompts');
  const typed = await input({
    message:
      `This deletes all profiles, traces and dashboards of "${environment}". Type the environment ` +
      `name to confirm:`,
  });
  if (typed.trim() !== environment) {
    throw new HealError({
      code: 'uninstall.not-confirmed',
      message: 'not confirmed; nothing was changed',
      exitCode: ExitCode.usage,
    });
  }
}

export async function runUninstallCommand(
  flags: UninstallFlags,
  ctx: GatherContext,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const { out } = ctx;
  const dryRun = flags.dryRun ?? false;
  return runPhaseCommand(
    flags,
    ctx,
    async (settings) => {
      const { topology } = settings;
      if (flags.purge) await confirmPurge(topology.environment, flags, ctx);
      const un = newUninstallContext(
        {
          topology,
          options: { purge: flags.purge ?? false, forceUnlock: flags.forceUnlock ?? false },
          operator: operatorName(),
          runId: runId(),
          statePath: settings.statePath,
          connect: settings.connect,
        },
        await loadPendingUndo(pendingUndoPath(settings.statePath)),
      );
      out.say(
        dryRun ? 'Dry run: nothing will be removed.' : `Uninstalling heal-pyroscope from ${topology.environment}...`,
      );
      for (const left of un.undo.found)
        out.say(dryRun ? `would first finish ${describeLeft(left)}` : `finishing ${describeLeft(left)} first`);
      return {
        phases: uninstallPhases(),
        context: un,
        dryRun,
        // Nothing is rolled back: a rerun finishes what one left.
        noRollback: true,
        finish(run) {
          const { found, images: outcomes, pullRecord } = un.report;
          const images = imageReport(found, outcomes, {
            purge: un.options.purge,
            dryRun: run.dryRun,
            recorded: pullRecord.recorded,
          });
          const keptLines = kept(un, images, run.dryRun);
          const document = {
            dryRun: run.dryRun,
            environment: topology.environment,
            purge: un.options.purge,
            phases: run.phases,
            removed: un.report.removed,
            unreachable: unreachableServers(un.hosts),
            kept: keptLines,
            images: { ...images, ...(pullRecord.recorded ? {} : { why: pullRecord.why }) },
            error: null,
          };
          if (!run.ok) return { document };
          // A host not reached, or a left-over undo step still pending: told in the summary's own words.
          const failure = unfinishedError(un);
          return {
            document,
            say: () => printUninstall(un, images, keptLines, run.dryRun, out),
            ...(failure ? { failure, told: true } : {}),
          };
        },
      };
    },
    options,
  );
}

function printUninstall(
  un: UninstallContext,
  images: ImageReport,
  keptLines: readonly string[],
  dryRun: boolean,
  out: Output,
): void {
  out.say('');
  if (dryRun) {
    for (const line of keptLines) out.say(`  would keep: ${line}`);
  } else {
    out.say(
      un.report.removed.length === 0
        ? 'Nothing of heal-pyroscope was found: nothing to remove.'
        : `Removed ${un.report.removed.length} item(s).`,
    );
    for (const i of images.removed) out.say(`  removed: ${i.machine}: image ${i.ref}`);
    if (un.options.purge) for (const i of images.alreadyGone) out.say(`  already gone: ${i.machine}: image ${i.ref}`);
    for (const line of keptLines) out.say(`  kept: ${line}`);
  }
  if (un.options.purge && !un.report.pullRecord.recorded)
    out.say(`  images: none removed, ${un.report.pullRecord.why}`);
  for (const left of un.undo.left)
    out.warn(
      `still pending: ${describeLeft(left)} (${left.why}); kept in ${un.undo.path}: the next install or ` +
        `uninstall finishes them first`,
    );
  const unreachable = unreachableServers(un.hosts);
  if (unreachable.length > 0) {
    out.warn(`not reached, so not cleaned: ${unreachable.map((u) => `${u.machine} (${u.error})`).join('; ')}`);
    out.say('Run `heal-pyroscope uninstall` again once they are reachable to finish.');
  }
}

function kept(un: UninstallContext, images: ImageReport, dryRun: boolean): string[] {
  const lines = un.options.purge
    ? []
    : un.report.found.flatMap((f) => f.volumes.map((v) => `${f.machine}: volume ${v} (data; remove with --purge)`));
  lines.push(...images.kept.map((i) => `${i.machine}: image ${i.ref} (${i.reason})`));
  lines.push(...un.report.rootsKept.map((m) => `${m}: ${HOST_ROOT} (it holds files heal-pyroscope did not write)`));
  if (!dryRun) lines.push(...un.undo.left.map((l) => `${l.host}: ${describeLeft(l)}, in ${un.undo.path} (${l.why})`));
  // With a host left unreached, --purge keeps the credentials to finish the job later.
  const stateStays = dryRun ? !un.options.purge || unreachableServers(un.hosts).length > 0 : !un.report.stateRemoved;
  // Only a file that is there: a state read from the hosts is not kept anywhere by uninstall.
  if (stateStays && un.state) lines.push(`${un.statePath} (credentials, reused by the next install)`);
  return lines;
}
