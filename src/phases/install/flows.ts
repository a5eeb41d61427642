// Phase: each machine's flow rules (stack/flow-rules.ts), beside the pulls: set where missing or
// drifted, removed where `flows.restrict` is off, kept where they are as wanted. Journalled before
// the change: a rollback puts back the chain as it was (or removes it, when there was none).

import type { PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { PREFLIGHT_PHASE_ID } from '../preflight/checks-phase.js';
import { settleAll } from '../../runner/settle.js';
import { describeRules, ruleLines } from '../../stack/flow-rules.js';
import { describeUndo, type HostUndo } from '../../core/undo-step.js';
import { runUndo, setFlowRules } from '../../runner/run-undo.js';
import type { FlowPlan } from '../../plan/flow-facts.js';

function changing(ctx: PlannedInstall): FlowPlan[] {
  return ctx.planned.flows.filter((f) => f.action !== 'unchanged');
}

function planLine(f: FlowPlan): string {
  if (f.action === 'remove' || !f.want) return `${f.machine}: remove the flow rules (flows.restrict is off)`;
  return `${f.machine}: published ports ${describeRules(f.want)}; any other source is refused (${f.reason})`;
}

export const flowsPhase: Phase<PlannedInstall> = {
  id: 'flows',
  title: 'Limit ports to their flows',
  after: [PREFLIGHT_PHASE_ID],
  shouldRun: (ctx) => changing(ctx).length > 0,
  async run(ctx, io) {
    const plans = changing(ctx);
    await settleAll(
      plans.map(async (f) => {
        const host = ctx.hosts.servers().find((h) => h.name === f.machine);
        if (!host) throw new Error(`no server machine ${f.machine}`);
        const step: HostUndo = { host: f.machine, kind: 'restore-flow-rules', rules: f.held.lines };
        io.journal.changed(describeUndo(step), () => runUndo(host.remote, step), step);
        await setFlowRules(host.remote, f.machine, f.want && f.action === 'apply' ? ruleLines(f.want) : []);
      }),
    );
    return plans.map((f) => `${f.machine} ${f.action === 'apply' ? 'limited' : 'opened'}`).join(', ');
  },
  dryRun: (ctx) => changing(ctx).map(planLine),
};
