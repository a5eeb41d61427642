// Test-side handle on the lab: start it once per run (requireLab), read lab.json, run commands in a
// host's namespaces (labExec), flip fault switches and reset. Off Linux or as non-root the
// integration suites skip with a printed reason; under CI=true they fail instead.
import { inject } from 'vitest';
import {
  LAB_SH,
  labIsUp,
  platformProblem,
  readLabJson,
  run,
  runLabSh,
  runLabShSync,
  type RunResult,
} from './lab-sh.js';

export { LAB_SH, type RunResult };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/lab/global-setup.ts: the lab remembers which run started it. */
    labRunId: string;
  }
}

export type LabTier = 'target' | 'web' | 'app' | 'db' | 'bastion' | 'inner';

export interface LabHost {
  name: string;
  tier: LabTier;
  address: string;
  sshPort: 22;
  /** Path of the engine's socket on the host; null for hosts without Docker (targets, bastion). */
  dockerSocket: '/var/run/docker.sock' | null;
  netns: string;
  /** inner-01 is reachable only through this host. */
  jumpHost: string | null;
  /** PIDs the lab recorded (live ones only): anchor holds the host's namespaces. */
  pids: { anchor?: number; sshd?: number; dockerd?: number; relay?: number };
}

export interface Lab {
  bridge: string;
  /** The Docker Hub mirror, `10.213.0.1:5000`. */
  registry: string;
  /** Every lab registry by the real registry it stands in for: `docker.io`, `quay.io`. */
  registries: Record<string, string>;
  keys: { root: string; encrypted: string; encryptedPassphrase: string; heal: string };
  healPassword: string;
  /** known_hosts with every host's original key, lines `ADDRESS ssh-ed25519 KEY`. */
  knownHosts: string;
  /** OpenSSH config with every host by name (`ssh -F sshConfig app-01`). */
  sshConfig: string;
  labSh: string;
  /** Run id of the test run that brought the lab up ('' when a person did). */
  startedBy: string;
  hosts: LabHost[];
}

let warned = false;
/** A reason to skip the integration suites (printed once), or undefined to run them. */
export function labSkipReason(): string | undefined {
  const problem = platformProblem();
  if (!problem || process.env.CI === 'true') return undefined; // on CI, requireLab() fails loudly
  if (!warned) {
    warned = true;
    console.warn(`[lab] SKIPPING integration suites: ${problem}`);
  }
  return problem;
}

function runId(): string {
  try {
    return inject('labRunId');
  } catch {
    return process.env.HPLAB_RUN_ID ?? '';
  }
}

function failure(what: string, result: RunResult): Error {
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
  return new Error(`${what} failed (exit ${result.exitCode}):\n${tail}`);
}

let started = false;
/**
 * The running lab, parsed from lab.json. Synchronous so a suite can call it while being collected;
 * brings the lab up (or repairs it) at most once per test file, taking up to a minute.
 */
export function requireLab(): Lab {
  if (!started) {
    const problem = platformProblem();
    if (problem) throw new Error(`[lab] cannot start: ${problem}`);
    if (runLabShSync(['status', '--quiet']).exitCode !== 0) {
      // Claim the lab for this run only when nothing was up: a developer's lab is never ours.
      const env = labIsUp() ? {} : { HPLAB_STARTED_BY: runId() };
      console.log('[lab] bringing the lab up (test/lab/lab.sh up)');
      const up = runLabShSync(['up'], env);
      if (up.exitCode !== 0) throw failure('lab.sh up', up);
    }
    started = true;
  }
  return readLabJson<Lab>();
}

/** The lab as it is now (lab.json is rewritten by up, reset and faults). */
export function currentLab(): Lab {
  return readLabJson<Lab>();
}

export function labHost(name: string): LabHost {
  const host = currentLab().hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no lab host named ${name}`);
  return host;
}

/** Undo every fault and empty the engines (containers, networks, volumes; images too if asked). */
export async function resetLab(options: { images?: boolean } = {}): Promise<void> {
  const result = await runLabSh(['reset', ...(options.images ? ['--images'] : [])]);
  if (result.exitCode !== 0) throw failure('lab.sh reset', result);
}

export function fault(kind: 'drop-flow', from: string, to: string, port: number): Promise<void>;
export function fault(kind: 'occupy-port', host: string, port: number): Promise<void>;
export function fault(kind: 'label', host: string, keyValue: string): Promise<void>;
export function fault(kind: 'disk-full', host: string, path: string): Promise<void>;
export function fault(
  kind: 'stop-docker' | 'kill-docker' | 'stop-ssh' | 'prod' | 'rotate-key' | 'slow-registry' | 'cpu-v1',
  host: string,
): Promise<void>;
export async function fault(kind: string, ...args: (string | number)[]): Promise<void> {
  const result = await runLabSh(['fault', kind, ...args.map(String)]);
  if (result.exitCode !== 0) throw failure(`lab.sh fault ${kind}`, result);
}

/** Runs argv inside a host's network, mount and UTS namespaces (its /run, engine, hostname). */
export function labExec(
  host: string,
  argv: string[],
  options: { timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  const anchor = labHost(host).pids.anchor;
  if (!anchor) throw new Error(`lab host ${host} has no live anchor process: run lab.sh up`);
  return run(['nsenter', '--target', String(anchor), '--net', '--mount', '--uts', '--', ...argv], options);
}

/** Polls `check` until it returns a truthy value; fails naming `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
