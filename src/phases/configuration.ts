// Phase: save the credentials locally (0600) on first use, then write each tier's rendered files to
// its directory with the owner and mode its container user needs. A file this run replaces is kept
// beside it until the run succeeds, so a rollback can put it back; a file or a directory it creates
// is removed by a rollback (directories only when empty: directories.ts). With `--front-door
// external` the snippet is first checked with the real `haproxy -c` on this machine.

import { posix } from 'node:path';
import { HealError } from '../errors.js';
import { saveState } from '../state/state-file.js';
import type { RenderedFile } from '../render/rendered-file.js';
import { distinctMachines, type InstallContext, type TierHost } from './context.js';
import { createDirectories } from './directories.js';
import { checkExternalSnippet } from './haproxy-check.js';
import type { Journal, Phase } from './phase.js';
import { remotePath } from './plan.js';
import { throwIfAborted } from './runner.js';

async function run(th: TierHost, argv: string[], what: string): Promise<void> {
  const result = await th.remote.exec(argv, { timeoutMs: 30_000 });
  if (result.code !== 0) {
    throw new HealError({ code: 'install.files', message: `cannot ${what} on ${th.machine.name}: ${result.stderr.trim() || `exit ${result.code}`}`, hint: 'connect as root, or as a user that may write /opt/heal-pyroscope' });
  }
}

/** Files of the tier that this run writes (new or changed). */
function changedFiles(ctx: InstallContext, th: TierHost): RenderedFile[] {
  const plan = ctx.plan!.tiers.find((t) => t.tier === th.tier)!;
  return ctx.stack!.files.filter((f) => f.tier === th.tier && plan.files.find((p) => p.path === remotePath(f))?.action !== 'keep');
}

async function writeTier(ctx: InstallContext, th: TierHost, changed: readonly RenderedFile[], journal: Journal, signal: AbortSignal): Promise<number> {
  const plan = ctx.plan!.tiers.find((t) => t.tier === th.tier)!;
  for (const file of changed) {
    throwIfAborted(signal);
    const path = remotePath(file);
    const action = plan.files.find((p) => p.path === path)!.action;
    if (action === 'update') {
      const backup = `${path}.heal-rollback-${ctx.runId}`;
      await run(th, ['cp', '-p', '--', path, backup], `keep a copy of ${path}`);
      journal.changed(`put back ${path} on ${th.machine.name}`, () => run(th, ['mv', '-f', '--', backup, path], `put back ${path}`));
      journal.onSuccess(`drop the copy of ${path}`, () => run(th, ['rm', '-f', '--', backup], `remove ${backup}`));
    } else {
      // Removed before the directories this run created, so that they are empty again.
      journal.changed(`remove ${path} on ${th.machine.name}`, () => run(th, ['rm', '-f', '--', path], `remove ${path}`));
    }
    await th.remote.upload({ remotePath: path, content: file.content, mode: file.mode, owner: `${file.owner.uid}:${file.owner.gid}` });
  }
  return changed.length;
}

/** One machine: its directories first (one question to the host, one mkdir), then each tier's files. */
async function writeMachine(ctx: InstallContext, group: readonly TierHost[], journal: Journal, signal: AbortSignal): Promise<number> {
  const changed = group.map((th) => changedFiles(ctx, th));
  const dirs = [...new Set(changed.flat().map((f) => posix.dirname(remotePath(f))))];
  if (dirs.length === 0) return 0;
  await createDirectories(group[0]!, dirs, journal);
  const counts = await Promise.all(group.map((th, i) => writeTier(ctx, th, changed[i]!, journal, signal)));
  return counts.reduce((a, b) => a + b, 0);
}

export const configurationPhase: Phase<InstallContext> = {
  id: 'configuration',
  title: 'Write configuration',
  async run(ctx, io) {
    // Before anything is written: the operator's HAProxy will load the snippet.
    if (ctx.options.frontDoor === 'external') await checkExternalSnippet(ctx.stack!.files);
    if (ctx.stateIsNew) {
      // Before anything reaches a host: a failed run and the next one use the same credentials.
      await saveState(ctx.statePath, ctx.state!);
      ctx.stateIsNew = false;
    }
    const counts = await Promise.all(distinctMachines(ctx.tierHosts).map((group) => writeMachine(ctx, group, io.journal, io.signal)));
    const written = counts.reduce((a, b) => a + b, 0);
    return written === 0 ? 'every file already up to date' : `${written} file(s) written`;
  },
  dryRun: (ctx) => [
    ...(ctx.options.frontDoor === 'external' ? ['check the front-door snippet with `haproxy -c` on this machine'] : []),
    ...(ctx.stateIsNew ? [`generate credentials into ${ctx.statePath} (mode 0600)`] : [`reuse credentials from ${ctx.statePath}`]),
    ...ctx.plan!.tiers.flatMap((t) => t.files.map((f) => `${t.machine}: ${f.action === 'keep' ? 'keep' : 'write'} ${f.path}`)),
  ],
};
