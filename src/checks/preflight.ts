// Preflight as data: connect every machine once, run the production guard first, gather facts,
// run every check (machines in parallel, checks within a machine in parallel), then the flows.
// Progress is reported through events; rendering belongs to the CLI.
import { machinesOf, type Topology } from '../config/topology.js';
import { HealError, ExitCode } from '../errors.js';
import { describeFinding, evaluateGuard, type GuardFinding } from '../guard/evaluate.js';
import { CATALOGUE } from './catalogue.js';
import type { Check, CheckContext, CheckResult, HostSession, Machine, MachineState } from './check.js';
import { gatherFacts } from './facts.js';
import { sshCheck } from './host-checks.js';
import { checkFlows } from './flows.js';

export type PreflightEvent =
  | { type: 'result'; result: CheckResult }
  | { type: 'machine-done'; machine: string };

export interface PreflightReport {
  ok: boolean;
  environment: string;
  guard: { ok: boolean; findings: GuardFinding[] };
  results: CheckResult[];
  counts: Record<CheckResult['status'], number>;
}

export function machinesFor(topology: Topology): Machine[] {
  return machinesOf(topology).map((hosts) => ({
    name: [...new Set(hosts.map((h) => h.name))].join('/'),
    address: hosts[0]!.host,
    tiers: [...new Set(hosts.map((h) => h.tier))],
    hosts,
  }));
}

export function guardError(findings: GuardFinding[]): HealError {
  return new HealError({
    code: 'guard.production',
    message: `refusing to continue: ${findings.length === 1 ? 'a host looks' : `${findings.length} signs`} like production; nothing was changed`,
    details: findings.map(describeFinding),
    hint: 'heal-pyroscope never installs on production. If this is a false positive, edit the matching list under `guard:` in the config file',
    exitCode: ExitCode.guard,
  });
}

/**
 * Gathers each reachable machine's facts (guard evidence included, all read-only) and evaluates the
 * production guard over them. Facts stay on the machine state for the checks that follow.
 */
export async function runGuard(topology: Topology, states: readonly MachineState[], timeoutMs: number): Promise<GuardFinding[]> {
  await Promise.all(
    states
      .filter((s) => s.session && !s.facts)
      .map(async (s) => {
        s.facts = await gatherFacts(s.session!, needsDocker(s.machine), timeoutMs, topology.guard.markerFiles);
      }),
  );
  const evidence = states.filter((s) => s.facts).map((s) => ({ ...s.facts!.guard, host: s.machine.name }));
  return evaluateGuard(topology.guard, topology.environment, evidence);
}

function needsDocker(machine: Machine): boolean {
  return machine.tiers.some((t) => t !== 'target');
}

/** Pairs each machine with its session, or with the reason it has none. */
export function machineStates(machines: readonly Machine[], sessions: ReadonlyMap<Machine, HostSession | HealError>): MachineState[] {
  return machines.map((machine) => {
    const s = sessions.get(machine);
    if (s === undefined) return { machine, connectError: new HealError({ code: 'ssh.connect', message: `not connected to ${machine.name}` }) };
    return s instanceof HealError ? { machine, connectError: s } : { machine, session: s };
  });
}

/** All per-machine checks of one machine (facts first, then independent checks in parallel). */
export async function runMachineChecks(state: MachineState, ctx: CheckContext, emit: (e: PreflightEvent) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const push = (r: CheckResult) => {
    results.push(r);
    emit({ type: 'result', result: r });
  };
  const skip = (check: Check, why: string) =>
    push({ id: check.id, title: check.title, host: state.machine.name, status: 'skip', summary: `skipped: ${why}`, evidence: [] });
  const applicable = CATALOGUE.filter((c) => c.tiers.length === 0 || c.tiers.some((t) => state.machine.tiers.includes(t)));
  if (state.session && !state.facts) {
    state.facts = await gatherFacts(state.session, needsDocker(state.machine), ctx.probeTimeoutMs * 3, ctx.topology.guard.markerFiles);
  }
  await Promise.all(
    applicable.map(async (check) => {
      if (check.id !== sshCheck.id && !check.offline && !state.session) return skip(check, 'no SSH connection');
      if (check.needsDocker && !state.facts?.docker) return skip(check, 'Docker engine not usable');
      try {
        for (const r of await check.run(state, ctx)) push(r);
      } catch (error) {
        const e = error as HealError;
        push({ id: check.id, title: check.title, host: state.machine.name, status: 'fail', summary: `check failed to run: ${e.message}`, evidence: [], remedy: e.hint ?? 'run again with --verbose' });
      }
    }),
  );
  emit({ type: 'machine-done', machine: state.machine.name });
  const order = CATALOGUE.map((c) => c.id);
  return results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/** Every check of every machine (in parallel), then the flows between them. */
export async function runChecks(ctx: CheckContext, emit: (e: PreflightEvent) => void): Promise<CheckResult[]> {
  const perMachine = await Promise.all(ctx.machines.map((state) => runMachineChecks(state, ctx, emit)));
  const flows = await checkFlows(ctx);
  for (const r of flows) emit({ type: 'result', result: r });
  return [...perMachine.flat(), ...flows];
}

export function summarize(environment: string, findings: GuardFinding[], results: CheckResult[]): PreflightReport {
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return { ok: findings.length === 0 && counts.fail === 0, environment, guard: { ok: findings.length === 0, findings }, results, counts };
}
