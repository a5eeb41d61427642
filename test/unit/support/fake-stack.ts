// Three fake server hosts (web-01, app-01, db-01) and the contexts install, uninstall and status
// phases run on, built the way the CLI builds them; a journal that records changes so a test can
// roll them back or commit them, as the runner would.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostSpec, Topology } from '../../../src/config/topology.js';
import { DEFAULT_GUARD_RULES } from '../../../src/guard/rules.js';
import { Inventory } from '../../../src/hosts/inventory.js';
import type { Connector } from '../../../src/phases/shared/connect.js';
import type { InstallContext, InstallOptions, PlannedInstall } from '../../../src/phases/install/context.js';
import { newInstallContext } from '../../../src/phases/install/context.js';
import { gatherFactsPhase } from '../../../src/phases/install/gather-facts.js';
import type { Journal, PhaseIo, RunOutcome } from '../../../src/runner/phase.js';
import type { ServerTier } from '../../../src/plan/plan.js';
import { newUninstallContext, type UninstallContext } from '../../../src/phases/uninstall/uninstall-context.js';
import { resolveImages } from '../../../src/stack/image-ref.js';
import { flowRules, restrictedFlows, ruleLines } from '../../../src/stack/flow-rules.js';
import { FakeHost } from './fake-host.js';

export const ADDRESSES = { web: '10.213.0.11', app: '10.213.0.12', db: '10.213.0.13' } as const;
const NAMES = { web: 'web-01', app: 'app-01', db: 'db-01' } as const;

function hostSpec(tier: ServerTier): HostSpec {
  return {
    tier,
    name: NAMES[tier],
    host: ADDRESSES[tier],
    ssh: { user: 'root', port: 22, agent: false, knownHostsFile: '/dev/null' },
    dockerSocket: '/var/run/docker.sock',
  };
}

export function topology(): Topology {
  return {
    environment: 'lab',
    targets: [],
    web: hostSpec('web'),
    app: hostSpec('app'),
    db: hostSpec('db'),
    dockerSocket: '/var/run/docker.sock',
    images: resolveImages(),
    containers: {
      logMaxSize: '10m',
      logMaxFiles: 3,
      memoryLimitMiB: { minio: 2048, pyroscope: 2048, tempo: 2048, grafana: 512, haproxy: 256 },
    },
    grafanaPort: 3000,
    retention: { profilesHours: 720, tracesHours: 336 },
    restrictFlows: true,
    frontDoorAllowFrom: [],
    frontDoorTls: 'generated',
    frontDoorAuth: 'tenants',
    otlpHttp: false,
    tenants: ['default'],
    frontDoorNames: [],
    consolesPublished: false,
    consolesAllowFrom: [],
    guard: DEFAULT_GUARD_RULES,
  };
}

export interface FakeStack {
  web: FakeHost;
  app: FakeHost;
  db: FakeHost;
  /** Connects each host of an inventory to its fake (web-01, app-01, db-01 by name). */
  connect: Connector;
  /** A state file path in a fresh directory (nothing there yet). */
  statePath: string;
}

export function fakeStack(): FakeStack {
  const hosts = { web: new FakeHost('web-01'), app: new FakeHost('app-01'), db: new FakeHost('db-01') };
  const byName = new Map(Object.values(hosts).map((h) => [h.name, h]));
  const connect: Connector = async (list) => {
    for (const host of list) host.connection = byName.get(host.name);
    return { close: async () => undefined };
  };
  return { ...hosts, connect, statePath: join(mkdtempSync(join(tmpdir(), 'heal-phase-')), 'lab.state.json') };
}

/** Puts on the app and db fakes the flow rules an install would set (sources as the fakes route). */
export function holdFlowRules(stack: FakeStack): void {
  const source = (host: FakeHost) => ({ machine: host.name, address: FakeHost.addressOf(host.name) });
  const rules = flowRules(
    { web: stack.web.name, app: stack.app.name, db: stack.db.name },
    restrictedFlows(topology()),
    (flow) => source(stack[flow.from]),
  );
  for (const r of rules)
    stack[r.machine === stack.app.name ? 'app' : 'db'].flowChain = { lines: ruleLines(r), jump: true };
}

/** The topology's inventory with every host connected to its fake. */
export async function connectedInventory(stack: FakeStack, from = Inventory.of(topology())): Promise<Inventory> {
  await stack.connect(from.hosts);
  return from;
}

export async function installContext(stack: FakeStack, options: Partial<InstallOptions> = {}): Promise<InstallContext> {
  return newInstallContext({
    topology: topology(),
    options: { ignoreChecks: [], frontDoor: 'container', forceUnlock: false, healthTimeoutMs: 60_000, ...options },
    installerVersion: '0.1.0',
    statePath: stack.statePath,
    operator: 'tester@laptop',
    runId: 'run1',
    connect: stack.connect,
    hosts: await connectedInventory(stack),
  });
}

/** An install context after the facts phase read the fake hosts: credentials, rendered stack, specs and plan. */
export async function plannedInstall(stack: FakeStack, options: Partial<InstallOptions> = {}): Promise<PlannedInstall> {
  const ctx = await installContext(stack, options);
  await gatherFactsPhase.run(ctx, recordingIo());
  return ctx as PlannedInstall;
}

export async function uninstallContext(stack: FakeStack, purge = false): Promise<UninstallContext> {
  const ctx = newUninstallContext({
    topology: topology(),
    options: { purge, forceUnlock: false },
    operator: 'tester@laptop',
    runId: 'run1',
    statePath: stack.statePath,
    connect: stack.connect,
  });
  await connectedInventory(stack, ctx.hosts);
  return ctx;
}

interface Entry {
  description: string;
  action: () => Promise<void>;
}

export interface RecordingIo extends PhaseIo {
  /** Descriptions of the changes journalled, in order. */
  changes(): string[];
  /** Undoes every change newest first, as the runner does after a failure. */
  rollback(): Promise<void>;
  /** Runs the success actions, as the runner does after a successful run. */
  succeed(): Promise<void>;
  /** Runs the `finally` actions (newest first), told the run ended as `outcome` (passed by default). */
  finish(outcome?: RunOutcome): Promise<void>;
  finals(): string[];
}

export function recordingIo(signal = new AbortController().signal): RecordingIo {
  const undos: Entry[] = [];
  const successes: Entry[] = [];
  const finals: Array<{ description: string; action: (outcome: RunOutcome) => Promise<void> }> = [];
  const journal: Journal = {
    changed: (description, action) => undos.push({ description, action }),
    onSuccess: (description, action) => successes.push({ description, action }),
    finally: (description, action) => finals.push({ description, action }),
  };
  return {
    journal,
    signal,
    progress: () => undefined,
    changes: () => undos.map((u) => u.description),
    finals: () => finals.map((f) => f.description),
    rollback: async () => {
      for (const u of [...undos].reverse()) await u.action();
    },
    succeed: async () => {
      for (const s of successes) await s.action();
    },
    finish: async (outcome: RunOutcome = { ok: true }) => {
      for (const f of [...finals].reverse()) await f.action(outcome);
    },
  };
}
