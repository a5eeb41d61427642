// After a failed phase run: what the operator must clean up by hand (live progress is progress.ts).
import type { RunResult } from '../runner/runner.js';
import type { Output } from './output.js';

/**
 * After a failed run: what was undone or left, and the error with its details. `keptIn`: the file
 * where undo steps that could not run were kept for the next install or uninstall to finish.
 */
export function sayFailure(result: RunResult, out: Output, cleanup: string, keptIn?: string): void {
  const { color } = out;
  if (result.leftInPlace.length > 0) {
    out.say(color.yellow(`Kept ${result.leftInPlace.length} change(s) for debugging (--no-rollback):`));
    for (const line of result.leftInPlace) out.say(`  ${line}`);
    out.say(`Clean up with: ${cleanup}`);
  }
  const failedUndo = result.rolledBack.filter((u) => !u.ok);
  const kept = failedUndo.filter((u) => u.kept);
  if (kept.length > 0 && keptIn) {
    const hosts = [...new Set(result.pendingUndo.map((s) => s.host))].join(', ');
    out.say(
      color.red(
        `${failedUndo.length} rollback step(s) failed; ${kept.length} kept in ${keptIn}: the next ` +
          `\`heal-pyroscope install\` or \`uninstall\` finishes them first, once ${hosts} can be reached`,
      ),
    );
    if (kept.length < failedUndo.length)
      out.say(
        color.red(`the other ${failedUndo.length - kept.length} cannot be finished later; clean up with: ${cleanup}`),
      );
  } else if (failedUndo.length > 0)
    out.say(color.red(`${failedUndo.length} rollback step(s) failed; clean up with: ${cleanup}`));
}
