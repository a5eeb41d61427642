import { describe, expect, it } from 'vitest';
import { flowsPhase } from '../../../src/phases/install/flows.js';
import { findPhase, removeFlowRulesPhase } from '../../../src/phases/uninstall/remove.js';
import { ruleLines } from '../../../src/stack/flow-rules.js';
import { unsafeStep } from '../../../src/state/pending-undo.js';
import { FakeHost } from '../support/fake-host.js';
import { fakeStack, holdFlowRules, plannedInstall, recordingIo, uninstallContext } from '../support/fake-stack.js';

const WEB = FakeHost.addressOf('web-01');
const APP = FakeHost.addressOf('app-01');

describe('flow rules phase', () => {
  it('limits app ports to the web host and MinIO to the app host, as the dry run says, and rolls back', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    expect(ctx.planned.flows.map((f) => [f.machine, f.action])).toEqual([
      ['web-01', 'unchanged'],
      ['app-01', 'apply'],
      ['db-01', 'apply'],
    ]);
    expect(flowsPhase.dryRun!(ctx)).toEqual([
      `app-01: published ports 3200, 4040, 4317, 14250 only from web-01 (${WEB}); any other source is refused ` +
        '(flow rules missing (no HEAL-PYROSCOPE chain rules))',
      `db-01: published ports 9000 only from app-01 (${APP}); any other source is refused ` +
        '(flow rules missing (no HEAL-PYROSCOPE chain rules))',
    ]);
    const io = recordingIo();
    await flowsPhase.run(ctx, io);
    expect(stack.web.flowChain).toBeNull();
    expect(stack.app.flowChain?.lines).toEqual(ruleLines(ctx.planned.flows[1]!.want!));
    expect(stack.db.flowChain?.lines).toContain(
      `-A HEAL-PYROSCOPE -s ${APP}/32 -p tcp -m conntrack --ctorigdstport 9000 --ctdir ORIGINAL -j RETURN`,
    );
    expect(io.changes()).toEqual(['remove the flow rules on app-01', 'remove the flow rules on db-01']);
    await io.rollback();
    expect([stack.app.flowChain, stack.db.flowChain]).toEqual([null, null]);
  });

  it('leaves rules that are as wanted alone, and a rollback puts back drifted ones as they were', async () => {
    const stack = fakeStack();
    holdFlowRules(stack);
    const before = stack.db.flowChain!.lines;
    // db-01's rules name an old app address: drift, applied again; app-01's are as wanted.
    stack.db.flowChain = { lines: before.map((l) => l.replace(APP, '10.9.9.9')), jump: true };
    const drifted = stack.db.flowChain.lines;
    const ctx = await plannedInstall(stack);
    expect(ctx.planned.flows.map((f) => [f.machine, f.action])).toEqual([
      ['web-01', 'unchanged'],
      ['app-01', 'unchanged'],
      ['db-01', 'apply'],
    ]);
    const io = recordingIo();
    await flowsPhase.run(ctx, io);
    expect(stack.db.flowChain?.lines).toEqual(before);
    await io.rollback();
    expect(stack.db.flowChain?.lines).toEqual(drifted);
  });

  it('removes the rules when flows.restrict is turned off', async () => {
    const stack = fakeStack();
    holdFlowRules(stack);
    const ctx = await plannedInstall(stack);
    ctx.topology.restrictFlows = false;
    const { planFlows } = await import('../../../src/plan/flow-facts.js');
    ctx.planned.flows = await planFlows(ctx.hosts, ctx.planned.addresses, false);
    expect(flowsPhase.dryRun!(ctx)).toEqual([
      'app-01: remove the flow rules (flows.restrict is off)',
      'db-01: remove the flow rules (flows.restrict is off)',
    ]);
    await flowsPhase.run(ctx, recordingIo());
    expect([stack.app.flowChain, stack.db.flowChain]).toEqual([null, null]);
  });

  it('refuses a kept undo whose rules are not of its own shape', () => {
    expect(unsafeStep({ kind: 'restore-flow-rules', rules: ['-A HEAL-PYROSCOPE -i br-+ -j RETURN'] })).toBeUndefined();
    expect(unsafeStep({ kind: 'restore-flow-rules', rules: ['-A INPUT -j DROP'] })).toMatch(/not of the shape/);
    expect(unsafeStep({ kind: 'restore-flow-rules', rules: 'x' as unknown as string[] })).toMatch(/not of the shape/);
  });
});

describe('uninstall of the flow rules', () => {
  it('finds and removes them on every machine that holds them', async () => {
    const stack = fakeStack();
    holdFlowRules(stack);
    const ctx = await uninstallContext(stack);
    await findPhase.run(ctx, recordingIo());
    expect(removeFlowRulesPhase.dryRun!(ctx)).toEqual([
      'app-01: remove the flow rules (chain HEAL-PYROSCOPE and its jump from DOCKER-USER)',
      'db-01: remove the flow rules (chain HEAL-PYROSCOPE and its jump from DOCKER-USER)',
    ]);
    await removeFlowRulesPhase.run(ctx, recordingIo());
    expect([stack.app.flowChain, stack.db.flowChain]).toEqual([null, null]);
    expect(ctx.report.removed).toEqual(['app-01: flow rules', 'db-01: flow rules']);
  });
});
