// How a phase run looks to the operator: one line per phase (planned lines in a dry run), live
// progress lines (pull progress always, the rest with --verbose), and what a rollback undid.
import type { RunnerEvent, RunResult } from '../phases/runner.js';
import type { Output } from './output.js';

export function phaseRenderer(out: Output): (event: RunnerEvent) => void {
  const { color } = out;
  const lastProgress = new Map<string, number>();
  return (event) => {
    switch (event.type) {
      case 'phase-progress': {
        if (out.verbose) return out.debug(`  ${event.line}`);
        if (event.id !== 'images') return;
        // At most one pull line every 2 s per host, so a log stays readable.
        const host = event.line.split(':')[0] ?? '';
        const now = Date.now();
        if (now - (lastProgress.get(host) ?? 0) < 2000) return;
        lastProgress.set(host, now);
        return out.say(color.dim(`  ${event.line}`));
      }
      case 'phase-end': {
        const r = event.record;
        if (r.status === 'done') out.say(`${color.green('✔')} ${r.title}${r.summary ? `: ${r.summary}` : ''}`);
        else if (r.status === 'skipped') out.say(`${color.dim('-')} ${r.title}: ${r.summary ?? 'skipped'}`);
        else if (r.status === 'planned') {
          out.say(`${color.cyan('•')} ${r.title}`);
          for (const line of r.plan ?? []) out.say(`    ${line}`);
        } else if (r.status === 'failed') out.say(`${color.red('✖')} ${r.title}: ${r.error?.message ?? 'failed'}`);
        return;
      }
      case 'rollback-start':
        if (event.changes === 0) return;
        return out.say(color.yellow(`Rolling back ${event.changes} change(s)...`));
      case 'undo':
        return out.say(event.record.ok ? `  ${color.yellow('↺')} ${event.record.description}` : `  ${color.red('✖')} ${event.record.description}: ${event.record.error}`);
      default:
        return;
    }
  };
}

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
