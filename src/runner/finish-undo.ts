// Phase: before install or uninstall changes anything, finish the undo steps an earlier failed
// install could not run (kept beside the state file: src/state/pending-undo.ts), and forget them
// once done. A host still out of reach keeps its steps: install stops there (it would otherwise
// build on what the failed run left), uninstall says so and goes on with the rest.

import { ExitCode, HealError } from '../core/errors.js';
import type { Inventory } from '../hosts/inventory.js';
import { describeLeft, savePendingUndo, type LeftUndo } from '../state/pending-undo.js';
import type { Phase, PhaseOutcome } from './phase.js';
import { describeUndo, worthKeeping } from '../core/undo-step.js';
import { runUndo } from './run-undo.js';

export interface LeftOverUndo {
  /** The pending-undo file. */
  path: string;
  environment: string;
  /** What the file held when the command started (read by the command before its phases run). */
  found: LeftUndo[];
  /** Finished by this run. */
  finished: LeftUndo[];
  /** Still left after this run, with why. */
  left: Array<LeftUndo & { why: string }>;
  /** Steps that ran and were refused (a directory holding files not ours): said, then forgotten. */
  refused: string[];
}

export function noLeftOverUndo(path: string, environment: string): LeftOverUndo {
  return { path, environment, found: [], finished: [], left: [], refused: [] };
}

interface Finishing {
  hosts: Inventory;
  undo: LeftOverUndo;
}

/** Runs one host's left steps in order; the first that cannot run keeps itself and the rest. */
async function finishOne(ctx: Finishing, entry: LeftUndo): Promise<string | undefined> {
  const host = ctx.hosts.hosts.find((h) => h.name === entry.host);
  if (!host) return `${entry.host} is not in this configuration any more`;
  if (!host.connection) return `${entry.host} was not reached: ${host.connectError?.message ?? 'no connection'}`;
  for (const [i, step] of entry.steps.entries()) {
    try {
      await runUndo(host.remote, { ...step, host: entry.host });
    } catch (error) {
      if (!worthKeeping(error)) {
        ctx.undo.refused.push((error as Error).message);
        continue;
      }
      ctx.undo.left.push({ ...entry, steps: entry.steps.slice(i), why: (error as Error).message });
      return undefined;
    }
  }
  ctx.undo.finished.push(entry);
  return undefined;
}

export function finishUndoPhase<C extends Finishing>(whenLeft: 'fails' | 'reported'): Phase<C> {
  return {
    id: 'finish-undo',
    title: 'Finish what a failed install left',
    shouldRun: (ctx) => ctx.undo.found.length > 0,
    skipReason: () => 'nothing left by an earlier run',
    async run(ctx, io): Promise<string | PhaseOutcome> {
      const { undo } = ctx;
      undo.finished = [];
      undo.left = [];
      undo.refused = [];
      for (const entry of undo.found) {
        io.progress(`finishing ${describeLeft(entry)}`);
        const unreached = await finishOne(ctx, entry);
        if (unreached) undo.left.push({ ...entry, why: unreached });
      }
      await savePendingUndo(
        undo.path,
        undo.environment,
        undo.left.map(({ why: _why, ...entry }) => entry),
      );
      const done = undo.finished.map((e) => `finished ${describeLeft(e)}`);
      const refused = undo.refused.map((r) => `refused: ${r}`);
      const [first, ...rest] = undo.left;
      if (first === undefined) return [...done, ...refused].join('; ');
      if (whenLeft === 'fails') {
        throw new HealError({
          code: 'undo.pending',
          message: `${describeLeft(first)} could not run: ${first.why}`,
          details: [...rest.map((l) => `${describeLeft(l)}: ${l.why}`), ...done],
          hint:
            `bring ${first.host} back (SSH and its Docker engine), then run install again: it finishes ` +
            `them first; they stay listed in ${undo.path}`,
          exitCode: ExitCode.failed,
        });
      }
      return {
        summary: [...undo.left.map((l) => `still left: ${describeLeft(l)} (${l.why})`), ...done, ...refused].join('; '),
        verdict: 'warn',
      };
    },
    dryRun: (ctx) =>
      ctx.undo.found.flatMap((e) =>
        e.steps.map(
          (s) => `${describeUndo({ ...s, host: e.host })} (left by the failed ${e.command} of ${e.failedAt})`,
        ),
      ),
  };
}
