// Preflight as data: connect every machine once, run the production guard first, gather facts,
// run every check (machines in parallel, checks within a machine in parallel), then the flows.
// Progress is reported through events; rendering belongs to the CLI.
import { hostsOf, type Topology } from '../config/topology.js';
import { HealError, ExitCode } from '../core/errors.js';
import {
  describeFinding,
  evaluateDeclared,
  evaluateGuard,
  evaluateNames,
  type GuardFinding,
  type WrittenName,
} from '../guard/evaluate.js';
import { CATALOGUE } from './catalogue.js';
import type { Host } from '../hosts/host.js';
import type { Check, CheckContext, CheckResult } from './check.js';
import { gatherFacts } from '../hosts/facts.js';
import type { HostEvidence } from '../guard/evidence.js';
import { sshCheck } from './host-checks.js';
import { checkFlows } from './flows.js';

export type PreflightEvent = { type: 'result'; result: CheckResult };

export interface PreflightReport {
  ok: boolean;
  environment: string;
  guard: { ok: boolean; findings: GuardFinding[] };
  results: CheckResult[];
  counts: Record<CheckResult['status'], number>;
}

export function guardError(findings: GuardFinding[]): HealError {
  const signs = findings.filter((f) => f.rule !== 'unreadable');
  const blind = [...new Set(findings.filter((f) => f.rule === 'unreadable').map((f) => f.host))];
  const what =
    signs.length === 0
      ? `the production guard could not read everything on ${blind.join(', ')}`
      : `${signs.length === 1 ? 'a host looks' : `${signs.length} signs`} like production`;
  return new HealError({
    code: 'guard.production',
    message: `refusing to continue: ${what}; nothing was changed`,
    details: findings.map(describeFinding),
    hint:
      (signs.length === 0
        ? 'give the SSH user a POSIX login shell (no ForceCommand) and read access to what is named, then run again'
        : 'heal-pyroscope never installs on production. If this is not production, take the production word out ' +
          'of the name or value shown (or remove the marker file)') +
      '; docs/configuration.md ("Production guard") states the rule',
    exitCode: ExitCode.guard,
  });
}

/**
 * Reads each connected host's facts once (guard evidence included, all read-only) and evaluates the
 * production guard over them. The facts stay on the host for the checks that follow.
 */
export async function runGuard(topology: Topology, hosts: readonly Host[], timeoutMs: number): Promise<GuardFinding[]> {
  // A probe that fails (a timeout, a channel refused) leaves the host's evidence unread: the guard
  // fails closed on it, as on a probe that stopped short.
  const failed = new Map<Host, string>();
  await Promise.all(
    hosts
      .filter((h) => h.connection && !h.facts)
      .map(async (h) => {
        try {
          h.facts = await gatherFacts(h.remote, h.isServer, timeoutMs, topology.guard.markerFiles);
        } catch (error) {
          failed.set(h, `the probe, which failed (${(error as Error).message.split('\n')[0] ?? ''})`);
        }
      }),
  );
  const evidence = hosts.flatMap((h): HostEvidence[] => {
    if (h.facts) return [{ ...h.facts.guard, host: h.name }];
    const why = failed.get(h);
    return why === undefined ? [] : [unreadHost(h.name, why)];
  });
  return evaluateGuard(topology.guard, topology.environment, evidence, writtenNames(hosts));
}

function unreadHost(host: string, why: string): HostEvidence {
  return { host, variables: [], markerFiles: [], dockerLabels: [], unreadable: [why] };
}

/**
 * What the guard judges without contacting any host: the declared environment and every name the
 * operator wrote. install, restore and preflight refuse on it before connecting to anything.
 */
export function evaluateWritten(topology: Topology): GuardFinding[] {
  const hosts = hostsOf(topology).map((spec) => ({ name: spec.name, entries: [spec] }));
  return [
    ...evaluateDeclared(topology.guard, topology.environment),
    ...evaluateNames(topology.guard, writtenNames(hosts)),
  ];
}

/**
 * The names the operator gave each host, judged like the names a host reports: the config's `name`,
 * the address or ssh_config alias as written, and the HostName ssh_config gives that alias.
 */
export function writtenNames(hosts: readonly Pick<Host, 'name' | 'entries'>[]): WrittenName[] {
  const names = hosts.flatMap((h) =>
    h.entries.flatMap((e): WrittenName[] => {
      const at = `config hosts.${e.tier === 'target' ? 'targets' : e.tier}`;
      return [
        { host: h.name, source: `${at} name`, value: e.name },
        ...(e.sshAlias === undefined
          ? [{ host: h.name, source: `${at} host`, value: e.host }]
          : [
              { host: h.name, source: `${at} host (ssh_config alias)`, value: e.sshAlias },
              { host: h.name, source: `ssh_config HostName of ${e.sshAlias}`, value: e.host },
            ]),
      ];
    }),
  );
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = `${n.host}\0${n.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every check of one host (facts first, then independent checks in parallel). */
export async function runHostChecks(
  host: Host,
  ctx: CheckContext,
  emit: (e: PreflightEvent) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const push = (r: CheckResult) => {
    results.push(r);
    emit({ type: 'result', result: r });
  };
  const skip = (check: Check, why: string) =>
    push({
      id: check.id,
      title: check.title,
      host: host.name,
      status: 'skip',
      summary: `skipped: ${why}`,
      evidence: [],
    });
  const applicable = CATALOGUE.filter((c) => c.tiers.length === 0 || c.tiers.some((t) => host.serves(t)));
  if (host.connection && !host.facts) {
    host.facts = await gatherFacts(
      host.connection,
      host.isServer,
      ctx.probeTimeoutMs * 3,
      ctx.topology.guard.markerFiles,
    );
  }
  await Promise.all(
    applicable.map(async (check) => {
      if (check.id !== sshCheck.id && !check.offline && !host.connection) return skip(check, 'no SSH connection');
      if (check.needsDocker && !host.facts?.docker) return skip(check, 'Docker engine not usable');
      try {
        for (const r of await check.run(host, ctx)) push(r);
      } catch (error) {
        const e = error as HealError;
        push({
          id: check.id,
          title: check.title,
          host: host.name,
          status: 'fail',
          summary: `check failed to run: ${e.message}`,
          evidence: [],
          remedy: e.hint ?? 'run again with --verbose',
        });
      }
    }),
  );
  const order = CATALOGUE.map((c) => c.id);
  return results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/** Every check of every host (in parallel), then the flows between them. */
export async function runChecks(ctx: CheckContext, emit: (e: PreflightEvent) => void): Promise<CheckResult[]> {
  const perMachine = await Promise.all(ctx.hosts.map((host) => runHostChecks(host, ctx, emit)));
  const flows = await checkFlows(ctx);
  for (const r of flows) emit({ type: 'result', result: r });
  return [...perMachine.flat(), ...flows];
}

export function summarize(environment: string, findings: GuardFinding[], results: CheckResult[]): PreflightReport {
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return {
    ok: findings.length === 0 && counts.fail === 0,
    environment,
    guard: { ok: findings.length === 0, findings },
    results,
    counts,
  };
}
