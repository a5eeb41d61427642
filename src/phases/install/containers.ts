// Bringing one container to its planned state (create, recreate, start, keep) with everything
// journalled for rollback, then waiting for its health endpoint. A replaced container is stopped
// and renamed, not removed, until the whole run succeeds. A rollback removes the network and a data
// volume only when this run created them (a volume it created holds no one's data yet); a network
// or volume of our name that does not carry our labels is someone else's: refused, never adopted.

import { doorTrust } from '../../plan/desired-stack.js';
import { backoffMs } from '../../core/backoff.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { HealError } from '../../core/errors.js';
import { component, LABELS, PRODUCT } from '../../stack/manifest.js';
import {
  createOptions,
  healthAddress,
  healthPort,
  ownedLabels,
  type ContainerSpec,
} from '../../plan/container-spec.js';
import type { Host } from '../../hosts/host.js';
import { tierPlan, type ContainerOutcome, type PlannedInstall } from './context.js';
import type { Journal, PhaseIo } from '../../runner/phase.js';
import { throwIfAborted } from '../../runner/runner.js';
import { startContainer } from './port-taken.js';
import { NETWORK_NAME } from '../../stack/manifest.js';
import { describeUndo, type HostUndo } from '../../core/undo-step.js';
import { runUndo } from '../../runner/run-undo.js';

/** Journals `step` with its undo run on the host, so a failed undo can be kept for the next run. */
function journalUndo(journal: Journal, host: Host, step: HostUndo): void {
  journal.changed(describeUndo(step), () => runUndo(host.remote, step), step);
}

/** A network or volume of our name must carry our product label: else it is someone else's. */
function refuseNotOurs(host: Host, what: string, labels: Record<string, string>): void {
  if (labels[LABELS.product] === PRODUCT) return;
  throw new HealError({
    code: 'install.not-ours',
    message:
      `${what} on ${host.name} exists but was not created by heal-pyroscope (no label ` +
      `${LABELS.product}=${PRODUCT}): not used, not removed`,
    hint:
      `if nothing uses it, remove or rename it on ${host.name} (docker ${what.split(' ')[0]} rm ...), ` +
      `then run install again`,
  });
}

/**
 * The network, created when the engine lacks it (the engine answers: no fact is updated, so every
 * tier of a shared machine asks and only the first creates it). Its removal is journalled.
 */
export function ensureNetwork(host: Host, journal: Journal): Promise<void> {
  // Once per machine and run: containers started at the same time (the services, or the front door
  // beside storage on a shared machine) would each find it missing and race to create it.
  let byHost = networksOfRun.get(journal);
  if (!byHost) networksOfRun.set(journal, (byHost = new Map()));
  let once = byHost.get(host);
  if (!once) {
    once = createNetwork(host, journal);
    byHost.set(host, once);
    once.catch(() => byHost.delete(host));
  }
  return once;
}

const networksOfRun = new WeakMap<Journal, Map<Host, Promise<void>>>();

async function createNetwork(host: Host, journal: Journal): Promise<void> {
  const engine = host.remote.engine;
  const network = await engine.ensureNetwork(NETWORK_NAME, ownedLabels());
  if (!network.created) return refuseNotOurs(host, `network ${NETWORK_NAME}`, network.labels);
  journalUndo(journal, host, { host: host.name, kind: 'remove-network', id: network.id, name: NETWORK_NAME });
}

async function createAndStart(ctx: PlannedInstall, host: Host, spec: ContainerSpec, journal: Journal): Promise<void> {
  const engine = host.remote.engine;
  if (spec.volume) {
    // Labelled with this run: an undo run later removes this very volume, never one made again since.
    const volume = await engine.ensureVolume(spec.volume.name, {
      ...ownedLabels(spec.component),
      [LABELS.createdBy]: ctx.runId,
    });
    // One that was there holds the component's data: kept on rollback and by uninstall without --purge.
    if (!volume.created) refuseNotOurs(host, `volume ${spec.volume.name}`, volume.labels);
    else journalUndo(journal, host, { host: host.name, kind: 'remove-volume', name: volume.name, run: ctx.runId });
  }
  const id = await engine.createContainer(createOptions(spec, ctx.installerVersion));
  journalUndo(journal, host, { host: host.name, kind: 'remove-container', id, name: spec.name });
  await startContainer(host, spec, id);
}

/** Stops the current container and keeps it under another name until the run succeeds; a rollback puts it back. */
async function setAside(ctx: PlannedInstall, host: Host, spec: ContainerSpec, journal: Journal): Promise<void> {
  const engine = host.remote.engine;
  const old = await engine.inspectContainer(spec.name);
  if (!old) {
    throw new HealError({
      code: 'install.container-gone',
      message: `${spec.name} on ${host.name} was removed while this run was planning to replace it`,
      hint: 'run install again',
    });
  }
  const kept = `${spec.name}-replaced-${ctx.runId}`;
  await engine.stopContainer(old.id, 10);
  await engine.renameContainer(old.id, kept);
  journalUndo(journal, host, { host: host.name, kind: 'put-back-container', id: old.id, name: spec.name });
  journal.onSuccess(`remove the replaced ${spec.name} on ${host.name}`, async () => {
    await engine.removeContainer(old.id);
  });
}

export async function applyContainer(ctx: PlannedInstall, spec: ContainerSpec, io: PhaseIo): Promise<ContainerOutcome> {
  const host = ctx.hosts.forTier(spec.tier);
  const step = tierPlan(ctx.planned, spec.tier).containers.find((c) => c.name === spec.name);
  if (!step) throw new Error(`the install plan has no step for ${spec.name}`);
  const engine = host.remote.engine;
  throwIfAborted(io.signal);
  await ensureNetwork(host, io.journal);
  if (step.action === 'create') {
    io.progress(`${host.name}: creating ${spec.name}`);
    await createAndStart(ctx, host, spec, io.journal);
  } else if (step.action === 'start') {
    io.progress(`${host.name}: starting ${spec.name}`);
    await startContainer(host, spec, spec.name);
    journalUndo(io.journal, host, { host: host.name, kind: 'stop-container', name: spec.name });
  } else if (step.action === 'recreate') {
    io.progress(`${host.name}: recreating ${spec.name} (${step.reason ?? 'changed'})`);
    await setAside(ctx, host, spec, io.journal);
    // Its removal on rollback is the put-back's first step (whatever then holds the name goes).
    const id = await engine.createContainer(createOptions(spec, ctx.installerVersion));
    await startContainer(host, spec, id);
  }
  await waitHealthy(ctx, host, spec, io);
  const imageId = ctx.report.imageIds.get(host.name)?.get(spec.image);
  return {
    name: spec.name,
    component: spec.component,
    machine: host.name,
    action: step.action,
    ...(imageId ? { imageId } : {}),
  };
}

export async function waitHealthy(ctx: PlannedInstall, host: Host, spec: ContainerSpec, io: PhaseIo): Promise<void> {
  const health = component(spec.component).health;
  const address = healthAddress(spec, ctx.planned.addresses[spec.tier]);
  const port = healthPort(spec);
  // The door's health URI answers over TLS only, with the certificate of the stack's CA.
  const tls = spec.component === 'haproxy' ? doorTrust(ctx.topology, ctx.planned.state.current.secrets) : null;
  const deadline = Date.now() + ctx.options.healthTimeoutMs;
  let last = 'no answer yet';
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(io.signal);
    try {
      const answer = await host.remote.httpGet(address, port, health.path, {
        timeoutMs: 3000,
        ...(tls ? { tls } : {}),
      });
      if (answer.status === 200) return;
      last = `HTTP ${answer.status} ${answer.body.trim().slice(0, 160)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    const state = await host.remote.engine.inspectContainer(spec.name);
    if (!state) throw await unhealthy(host, spec, 'it was removed');
    if (!state.running && attempt > 0)
      throw await unhealthy(host, spec, `it ${state.status} (exit code ${state.exitCode})`);
    if (Date.now() >= deadline)
      throw await unhealthy(
        host,
        spec,
        `${tls ? 'https' : 'http'}://${address}:${port}${health.path} did not answer 200 within ` +
          `${Math.round(ctx.options.healthTimeoutMs / 1000)}s (last: ${last})`,
      );
    io.progress(`${host.name}: waiting for ${spec.name} (${last})`);
    await sleep(healthPollDelayMs(attempt));
  }
}

/**
 * Health polls back off from 50 ms, growing by half each time, to at most 250 ms: a component up in
 * 150 ms is seen then, and one up in 800 ms at most 250 ms later (a poll is one HTTP GET and one
 * container inspect over the open SSH connection: four a second cost nothing worth saving).
 */
export function healthPollDelayMs(attempt: number): number {
  return backoffMs(attempt, { firstMs: 50, factor: 1.5, capMs: 250 });
}

async function unhealthy(host: Host, spec: ContainerSpec, why: string): Promise<HealError> {
  const logs = await host.remote.engine
    .containerLogs(spec.name, 20)
    .then((text) => lastLines(text, 20))
    .catch(() => ['(the log could not be read)']);
  return new HealError({
    code: 'install.unhealthy',
    message: `${spec.name} on ${host.name} did not become healthy: ${why}`,
    details: ['last log lines:', ...logs.map((l) => `  ${l}`)],
    hint: `see the whole log with: docker logs ${spec.name} (on ${host.name})`,
  });
}

export function lastLines(text: string, count: number): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-count);
}
