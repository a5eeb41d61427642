// After a failed phase run: what the operator must clean up by hand (live progress is progress.ts).
import type { RunResult } from '../phases/runner.js';
import type { Output } from './output.js';

/** After a failed run: what was undone or left, and the error with its details. */
export function sayFailure(result: RunResult, out: Output, cleanup: string): void {
  const { color } = out;
  if (result.leftInPlace.length > 0) {
    out.say(color.yellow(`Kept ${result.leftInPlace.length} change(s) for debugging (--no-rollback):`));
    for (const line of result.leftInPlace) out.say(`  ${line}`);
    out.say(`Clean up with: ${cleanup}`);
  }
  const failedUndo = result.rolledBack.filter((u) => !u.ok);
  if (failedUndo.length > 0) out.say(color.red(`${failedUndo.length} rollback step(s) failed; clean up with: ${cleanup}`));
}
