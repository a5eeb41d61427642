// The directories an install creates on a machine: `mkdir -p` makes every missing ancestor too
// (`/opt/heal-pyroscope`, even `/opt`), so each of them is journalled, and a rollback removes them
// deepest first with `rmdir`: only when empty, never a directory that was there before the run.

import { posix } from 'node:path';
import { HealError } from '../../core/errors.js';
import type { Host } from '../../hosts/host.js';
import type { Journal } from '../../runner/phase.js';
import { type HostUndo } from '../../core/undo-step.js';
import { runUndo } from '../../runner/run-undo.js';

/** Every directory that must exist for `dirs` to exist, parents first (`/` excluded). */
export function withAncestors(dirs: readonly string[]): string[] {
  const all = new Set<string>();
  for (const dir of dirs) {
    const parts = posix
      .normalize(dir)
      .split('/')
      .filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) all.add(`/${parts.slice(0, i).join('/')}`);
  }
  return [...all].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
}

/** What `mkdir -p dirs` creates on a host where `existing` are the directories already there, parents first. */
export function directoriesToCreate(dirs: readonly string[], existing: ReadonlySet<string>): string[] {
  return withAncestors(dirs).filter((d) => !existing.has(d));
}

/** The order in which to remove directories a run created: children before their parents. */
export function removalOrder(created: readonly string[]): string[] {
  return [...created].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b));
}

function depth(path: string): number {
  return path.split('/').length;
}

// $@: paths. Prints those that are directories, one per line.
const EXISTING_SCRIPT = 'for d in "$@"; do if [ -d "$d" ]; then printf \'%s\\n\' "$d"; fi; done';

/** Runs a file-system command on the host; a failure names the host and what was being done. */
export async function runOnHost(host: Pick<Host, 'name' | 'remote'>, argv: string[], what: string): Promise<string> {
  const result = await host.remote.root.exec(argv, { timeoutMs: 30_000 });
  if (result.code !== 0) {
    throw new HealError({
      code: 'install.files',
      message: `cannot ${what} on ${host.name}: ${result.stderr.trim() || `exit ${result.code}`}`,
      hint: 'check the file system of /opt on the host (`df -h /opt`, mounted read-only?)',
    });
  }
  return result.stdout;
}

/**
 * Creates `dirs` (mode 755) on the machine, asking it once which of them and their parents exist,
 * and journals the removal of exactly those this run created.
 */
export async function createDirectories(
  host: Pick<Host, 'name' | 'remote'>,
  dirs: readonly string[],
  journal: Journal,
): Promise<string[]> {
  const wanted = withAncestors(dirs);
  const present = await runOnHost(
    host,
    ['sh', '-c', EXISTING_SCRIPT, 'sh', ...wanted],
    'look for the configuration directories',
  );
  const created = directoriesToCreate(dirs, new Set(present.split('\n').filter((l) => l !== '')));
  if (created.length === 0) return [];
  // Journalled before mkdir: a mkdir that fails half-way may still have made some of them.
  const tops = created.filter((d) => !created.includes(posix.dirname(d)));
  const step: HostUndo = { host: host.name, kind: 'remove-directories', paths: removalOrder(created) };
  journal.changed(
    `remove ${tops.join(', ')} on ${host.name} (the ${created.length} directory(ies) this run created, each ` +
      `only if empty)`,
    () => runUndo(host.remote, step),
    step,
  );
  await runOnHost(host, ['mkdir', '-p', '-m', '755', '--', ...dirs], 'create the configuration directories');
  return created;
}
