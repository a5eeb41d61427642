// The vocabulary of preflight: a check runs on one host (its facts gathered once, its connection)
// and returns results as plain data that every output format (tree, summary, JSON, JUnit) renders.
import type { Topology } from '../config/topology.js';
import type { DockerFacts, HostFacts } from '../hosts/facts.js';
import type { Host } from '../hosts/host.js';
import type { Tier } from '../stack/manifest.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable identifier, e.g. `ports.free`; `--json` consumers and `--ignore-check` use it. */
  id: string;
  title: string;
  /** Display name of the machine the check ran on (for a flow: the source). */
  host: string;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** What was seen, one fact a line. */
  evidence: string[];
  /** One line: what to do about a warning or failure. */
  remedy?: string;
}

export interface CheckContext {
  topology: Topology;
  hosts: readonly Host[];
  /** How long one TCP probe may take (facts get three times that). */
  probeTimeoutMs: number;
}

/** A unit of preflight: runs on one machine and returns one or more results. */
export interface Check {
  id: string;
  title: string;
  /** Tiers it applies to; empty means every host. */
  tiers: readonly Tier[];
  /** Needs the Docker engine facts (skipped with a reason when Docker is unusable). */
  needsDocker: boolean;
  /** Decided from the configuration alone: runs even without an SSH connection. */
  offline?: boolean;
  run(host: Host, ctx: CheckContext): Promise<CheckResult[]> | CheckResult[];
}

/**
 * The host's facts, for a check that needs a connection: the runner reads the facts of every
 * connected host before its checks run, and runs such a check only on a connected host.
 */
export function factsOf(host: Pick<Host, 'name' | 'facts'>): HostFacts {
  if (!host.facts) throw new Error(`internal error: the facts of ${host.name} were not read before its checks`);
  return host.facts;
}

/** The engine's facts, for a check marked `needsDocker`: the runner skips it on a host without them. */
export function dockerFactsOf(host: Pick<Host, 'name' | 'facts'>): DockerFacts {
  const { docker } = factsOf(host);
  if (!docker)
    throw new Error(`internal error: a check that needs Docker ran on ${host.name}, whose engine is unusable`);
  return docker;
}

export function result(
  check: Pick<Check, 'id' | 'title'>,
  host: string,
  status: CheckStatus,
  summary: string,
  extra: Partial<CheckResult> = {},
): CheckResult {
  return { id: check.id, title: check.title, host, status, summary, evidence: [], ...extra };
}
