// The vocabulary of preflight: a machine (one SSH connection, one or more tiers), the facts gathered
// from it once, the session checks may use, and a check's result as plain data that every output
// format (tree, summary, JSON, JUnit) renders.
import type { HostSpec, Topology } from '../config/topology.js';
import type { HealError } from '../errors.js';
import type { HostHandle } from '../remote/index.js';
import type { Tier } from '../stack/manifest.js';
import type { HostFacts } from './facts.js';

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

/** One SSH connection: a host that may serve several tiers (web, app and db may be one machine). */
export interface Machine {
  name: string;
  address: string;
  tiers: Tier[];
  hosts: HostSpec[];
}

/** What checks may do on a host: commands, TCP probes and its engine (whose registryAnswer asks the registry as a pull would). */
export type HostSession = Pick<HostHandle, 'exec' | 'probeTcp' | 'engine'>;

export interface MachineState {
  machine: Machine;
  session?: HostSession;
  /** Why there is no session. */
  connectError?: HealError;
  facts?: HostFacts;
}

export interface CheckContext {
  topology: Topology;
  machines: MachineState[];
  /** Operator's clock at the moment the facts were read (ms since epoch), for skew. */
  probeTimeoutMs: number;
}

/** A unit of preflight: runs on one machine and returns one or more results. */
export interface Check {
  id: string;
  title: string;
  /** Tiers it applies to; empty means every machine. */
  tiers: readonly Tier[];
  /** Needs the Docker engine facts (skipped with a reason when Docker is unusable). */
  needsDocker: boolean;
  /** Decided from the configuration alone: runs even without an SSH connection. */
  offline?: boolean;
  run(state: MachineState, ctx: CheckContext): Promise<CheckResult[]> | CheckResult[];
}

export function result(check: Pick<Check, 'id' | 'title'>, host: string, status: CheckStatus, summary: string, extra: Partial<CheckResult> = {}): CheckResult {
  return { id: check.id, title: check.title, host, status, summary, evidence: [], ...extra };
}
