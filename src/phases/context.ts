// What install phases share: the topology and options going in, and what earlier phases found
// (connections, facts, the plan) for later ones to read instead of asking the hosts again.

import type { CheckResult, HostSession, Machine, MachineState } from '../checks/check.js';
import type { HostSpec, Topology } from '../config/topology.js';
import type { HealError } from '../errors.js';
import type { HostHandle } from '../remote/index.js';
import type { FrontDoor } from '../render/context.js';
import type { RenderedStack } from '../render/render.js';
import type { InstallState } from '../state/state-file.js';
import type { ComponentName } from '../stack/manifest.js';
import type { ContainerSpec } from './container-spec.js';
import type { ContainerAction, InstallPlan, ServerTier, TierFacts } from './plan.js';
import type { readArchive } from '../images/archive.js';

type ImageArchive = Awaited<ReturnType<typeof readArchive>>;

export interface ConnectedFleet {
  sessions: Map<Machine, HostSession | HealError>;
  /** Connected hosts by machine name. */
  hosts: ReadonlyMap<string, HostHandle>;
  close(): Promise<void>;
}

export type Connector = (machines: readonly Machine[]) => Promise<ConnectedFleet>;

/** A server tier and the connected machine serving it. */
export interface TierHost {
  tier: ServerTier;
  spec: HostSpec;
  machine: Machine;
  remote: HostHandle;
}

export interface InstallOptions {
  /** Preflight check ids whose failure does not stop the install (never the guard). */
  ignoreChecks: string[];
  /** Load missing images from this archive (`images save`) instead of pulling them. */
  imagesFrom?: { path: string; archive: ImageArchive };
  frontDoor: FrontDoor;
  forceUnlock: boolean;
  healthTimeoutMs: number;
}

export interface ContainerOutcome {
  name: string;
  component: ComponentName;
  machine: string;
  action: ContainerAction;
  imageId?: string;
}

export interface CheckedEndpoint {
  what: string;
  url: string;
  ok: boolean;
  detail: string;
}

export interface InstallContext {
  topology: Topology;
  options: InstallOptions;
  installerVersion: string;
  statePath: string;
  /** `user@host` of the operator, for the lock. */
  operator: string;
  /** Unique per run: names kept-for-rollback containers and file backups. */
  runId: string;
  connect: Connector;

  fleet?: ConnectedFleet;
  machines: MachineState[];
  tierHosts: TierHost[];
  /** Addresses the tiers reach each other at (resolved where the traffic starts). */
  addresses?: { web: string; app: string; db: string };
  state?: InstallState;
  stateIsNew: boolean;
  stack?: RenderedStack;
  specs: ContainerSpec[];
  facts: TierFacts[];
  plan?: InstallPlan;
  preflight: CheckResult[];
  /** Image IDs per machine and reference, after the images phase. */
  imageIds: Map<string, Map<string, string>>;
  pulled: Array<{ machine: string; ref: string; from?: 'archive' }>;
  outcomes: ContainerOutcome[];
  verified: CheckedEndpoint[];
}

export function newInstallContext(init: Pick<InstallContext, 'topology' | 'options' | 'installerVersion' | 'statePath' | 'operator' | 'runId' | 'connect'>): InstallContext {
  return { ...init, machines: [], tierHosts: [], stateIsNew: false, specs: [], facts: [], preflight: [], imageIds: new Map(), pulled: [], outcomes: [], verified: [] };
}

export function tierHost(ctx: Pick<InstallContext, 'tierHosts'>, tier: ServerTier): TierHost {
  const found = ctx.tierHosts.find((t) => t.tier === tier);
  if (!found) throw new Error(`no connected host for the ${tier} tier`);
  return found;
}

/** Distinct machines among the tier hosts (web, app and db may share one). */
export function distinctMachines(tierHosts: readonly TierHost[]): TierHost[][] {
  const byName = new Map<string, TierHost[]>();
  for (const t of tierHosts) byName.set(t.machine.name, [...(byName.get(t.machine.name) ?? []), t]);
  return [...byName.values()];
}
