// Phase: save the credentials locally (0600) on first use, then write each tier's rendered files to
// its directory with the owner and mode its container user needs. A file this run replaces is kept
// beside it until the run succeeds, so a rollback can put it back; a file or a directory it creates
// is removed by a rollback (directories only when empty: directories.ts). With `--front-door
// external` the snippet is first checked with the real `haproxy -c` on this machine.

import { posix } from 'node:path';
import type { Host, ServerTier } from '../../hosts/host.js';
import type { RenderedFile } from '../../render/rendered-file.js';
import { tierPlan, type PlannedInstall } from './context.js';
import { createDirectories, runOnHost } from './directories.js';
import { checkExternalSnippet } from './haproxy-check.js';
import type { Journal, Phase } from '../../runner/phase.js';
import { remotePath } from '../../plan/plan.js';
import { throwIfAborted } from '../../runner/runner.js';
import { settleAll } from '../../runner/settle.js';
import { PREFLIGHT_PHASE_ID } from '../preflight/checks-phase.js';
import { describeUndo, type HostUndo } from '../../core/undo-step.js';
import { runUndo } from '../../runner/run-undo.js';

async function run(host: Host, argv: string[], what: string): Promise<void> {
  await runOnHost(host, argv, what);
}

/** Files of the tier that this run writes (new or changed). */
function changedFiles(ctx: PlannedInstall, tier: ServerTier): RenderedFile[] {
  const plan = tierPlan(ctx.planned, tier);
  return ctx.planned.stack.files.filter(
    (f) => f.tier === tier && plan.files.find((p) => p.path === remotePath(f))?.action !== 'keep',
  );
}

async function writeTier(
  ctx: PlannedInstall,
  host: Host,
  tier: ServerTier,
  changed: readonly RenderedFile[],
  journal: Journal,
  signal: AbortSignal,
): Promise<number> {
  const plan = tierPlan(ctx.planned, tier);
  for (const file of changed) {
    throwIfAborted(signal);
    const path = remotePath(file);
    // A changed file without a plan entry is a new one (changedFiles counts it so).
    const action = plan.files.find((p) => p.path === path)?.action ?? 'create';
    if (action === 'update') {
      const backup = `${path}.heal-rollback-${ctx.runId}`;
      await run(host, ['cp', '-p', '--', path, backup], `keep a copy of ${path}`);
      const step: HostUndo = { host: host.name, kind: 'restore-file', path, backup };
      journal.changed(describeUndo(step), () => runUndo(host.remote, step), step);
      journal.onSuccess(`drop the copy of ${path}`, () => run(host, ['rm', '-f', '--', backup], `remove ${backup}`));
    } else {
      // Removed before the directories this run created, so that they are empty again.
      const step: HostUndo = { host: host.name, kind: 'remove-file', path };
      journal.changed(describeUndo(step), () => runUndo(host.remote, step), step);
    }
    await host.remote.root.upload({
      remotePath: path,
      content: file.content,
      mode: file.mode,
      owner: `${file.owner.uid}:${file.owner.gid}`,
    });
  }
  return changed.length;
}

/** One machine: its directories first (one question to the host, one mkdir), then each tier's files. */
async function writeMachine(ctx: PlannedInstall, host: Host, journal: Journal, signal: AbortSignal): Promise<number> {
  const changed = host.serverTiers.map((tier) => ({ tier, files: changedFiles(ctx, tier) }));
  const dirs = [...new Set(changed.flatMap((c) => c.files).map((f) => posix.dirname(remotePath(f))))];
  if (dirs.length === 0) return 0;
  await createDirectories(host, dirs, journal);
  const counts = await settleAll(changed.map(({ tier, files }) => writeTier(ctx, host, tier, files, journal, signal)));
  return counts.reduce((a, b) => a + b, 0);
}

export const configurationPhase: Phase<PlannedInstall> = {
  id: 'configuration',
  title: 'Write configuration',
  // Beside the pulls: files need no image.
  after: [PREFLIGHT_PHASE_ID],
  async run(ctx, io) {
    // Before anything is written: the operator's HAProxy will load the snippet.
    if (ctx.options.frontDoor === 'external') await checkExternalSnippet(ctx.planned.stack.files);
    // Before anything reaches a host: with --no-rollback, the next run uses the same credentials.
    // A run that fails and rolls back leaves no state file of its own behind.
    // A record of pulls written after a rollback began cannot bring the file back (discard drops it).
    if (ctx.planned.state.isNew) {
      await ctx.planned.state.write();
      io.journal.changed(`remove the state file ${ctx.statePath}`, () => ctx.planned.state.discard());
    }
    const counts = await settleAll(ctx.hosts.servers().map((host) => writeMachine(ctx, host, io.journal, io.signal)));
    const written = counts.reduce((a, b) => a + b, 0);
    return written === 0 ? 'every file already up to date' : `${written} file(s) written`;
  },
  dryRun: (ctx) => [
    ...(ctx.options.frontDoor === 'external' ? ['check the front-door snippet with `haproxy -c` on this machine'] : []),
    ...(ctx.planned.state.origin === 'generated'
      ? [`generate credentials into ${ctx.statePath} (mode 0600)`]
      : ctx.planned.state.origin === 'hosts'
        ? [
            `no local state: write the credentials the installed stack runs with (read from its hosts) into ${ctx.statePath}`,
          ]
        : [`reuse credentials from ${ctx.statePath}`]),
    ...ctx.planned.plan.tiers.flatMap((t) =>
      t.files.map((f) => `${t.machine}: ${f.action === 'keep' ? 'keep' : 'write'} ${f.path}`),
    ),
  ],
};
