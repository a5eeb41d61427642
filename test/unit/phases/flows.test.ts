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
    ctx.planned.flows = await planFlows(ctx.hosts, ctx.planned.addresses, { ...ctx.topology, frontDoor: 'container' });
    expect(flowsPhase.dryRun!(ctx)).toEqual([
      'app-01: remove the flow rules (flows.restrict is off)',
      'db-01: remove the flow rules (flows.restrict is off)',
    ]);
    await flowsPhase.run(ctx, recordingIo());
    expect([stack.app.flowChain, stack.db.flowChain]).toEqual([null, null]);
  });

  it('limits the front door to the targets, asked where they send from, and to the sources named', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    const { planFlows, wantedRules, heldTargets } = await import('../../../src/plan/flow-facts.js');
    const settings = { ...ctx.topology, frontDoor: 'container' as const, frontDoorAllowFrom: ['10.20.0.0/16'] };
    const target = { machine: 'target-01', address: '10.0.0.21' };
    const wanted = await wantedRules(ctx.hosts, ctx.planned.addresses, settings, async () => [target]);
    const web = wanted.find((w) => w.machine === 'web-01')!;
    expect(web.ports).toEqual([
      { port: 9940, from: [target, { machine: 'frontDoor.allowFrom', address: '10.20.0.0/16' }] },
    ]);
    // Status reads the targets back from the web machine's rules, leaving out the sources named.
    const held = { lines: ruleLines(web), jump: true, noIptables: false };
    expect(heldTargets(held, settings.frontDoorAllowFrom)).toEqual([{ machine: 'target', address: '10.0.0.21' }]);
    // With no target in the fake topology, the named sources alone: planned, applied on web-01.
    ctx.planned.flows = await planFlows(ctx.hosts, ctx.planned.addresses, settings);
    expect(ctx.planned.flows.map((f) => [f.machine, f.action])).toEqual([
      ['web-01', 'apply'],
      ['app-01', 'apply'],
      ['db-01', 'apply'],
    ]);
    expect(flowsPhase.dryRun!(ctx)[0]).toMatch(
      /^web-01: published ports 9940 only from frontDoor.allowFrom \(10.20.0.0\/16\)/,
    );
    await flowsPhase.run(ctx, recordingIo());
    expect(stack.web.flowChain?.lines).toContain(
      '-A HEAL-PYROSCOPE -s 10.20.0.0/16 -p tcp -m conntrack --ctorigdstport 9940 --ctdir ORIGINAL -j RETURN',
    );
    // An external front door is not ours to guard: no rules on web-01.
    const external = await planFlows(ctx.hosts, ctx.planned.addresses, { ...settings, frontDoor: 'external' });
    expect(external.find((f) => f.machine === 'web-01')).toMatchObject({ want: null, action: 'remove' });
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
