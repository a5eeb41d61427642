// Bringing one container to its planned state (create, recreate, start, keep) with everything
// journalled for rollback, then waiting for its health endpoint. A replaced container is stopped
// and renamed, not removed, until the whole run succeeds; data volumes are never removed here.

import { setTimeout as sleep } from 'node:timers/promises';
import { HealError } from '../errors.js';
import { component } from '../stack/manifest.js';
import { createOptions, ownedLabels, type ContainerSpec } from './container-spec.js';
import type { ContainerOutcome, InstallContext, TierHost } from './context.js';
import type { Journal, PhaseIo } from './phase.js';
import { throwIfAborted } from './runner.js';
import { NETWORK_NAME } from '../stack/manifest.js';

export async function ensureNetwork(ctx: InstallContext, th: TierHost, journal: Journal): Promise<void> {
  const facts = ctx.facts.find((f) => f.tier === th.tier)!;
  if (facts.network) return;
  const engine = th.remote.engine;
  const network = await engine.ensureNetwork(NETWORK_NAME, ownedLabels());
  if (!network.created) return;
  // Every tier on a machine shares the network: later tiers must see it as present.
  for (const f of ctx.facts.filter((x) => x.machine === facts.machine)) f.network = true;
  journal.changed(`remove network ${NETWORK_NAME} on ${th.machine.name}`, async () => {
    await engine.removeNetwork(network.id);
    for (const f of ctx.facts.filter((x) => x.machine === facts.machine)) f.network = false;
  });
}

async function createAndStart(ctx: InstallContext, th: TierHost, spec: ContainerSpec, journal: Journal): Promise<void> {
  const engine = th.remote.engine;
  // Kept on rollback and on uninstall without --purge: it holds the component's data.
  if (spec.volume) await engine.ensureVolume(spec.volume.name, ownedLabels(spec.component));
  const id = await engine.createContainer(createOptions(spec, ctx.installerVersion));
  journal.changed(`remove container ${spec.name} on ${th.machine.name}`, async () => {
    await engine.removeContainer(id);
  });
  await engine.startContainer(id);
}

/** Stops the current container and keeps it under another name until the run succeeds; a rollback puts it back. */
async function setAside(ctx: InstallContext, th: TierHost, spec: ContainerSpec, journal: Journal): Promise<void> {
  const engine = th.remote.engine;
  const old = await engine.inspectContainer(spec.name);
  if (!old) {
    throw new HealError({ code: 'install.container-gone', message: `${spec.name} on ${th.machine.name} was removed while this run was planning to replace it`, hint: 'run install again' });
  }
  const kept = `${spec.name}-replaced-${ctx.runId}`;
  await engine.stopContainer(old.id, 10);
  await engine.renameContainer(old.id, kept);
  journal.changed(`put back the previous ${spec.name} on ${th.machine.name}`, async () => {
    const current = await engine.inspectContainer(spec.name);
    if (current && current.id !== old.id) await engine.removeContainer(current.id);
    await engine.renameContainer(old.id, spec.name);
    await engine.startContainer(old.id);
  });
  journal.onSuccess(`remove the replaced ${spec.name} on ${th.machine.name}`, async () => {
    await engine.removeContainer(old.id);
  });
}

export async function applyContainer(ctx: InstallContext, th: TierHost, spec: ContainerSpec, io: PhaseIo): Promise<ContainerOutcome> {
  const step = ctx.plan!.tiers.find((t) => t.tier === th.tier)!.containers.find((c) => c.name === spec.name)!;
  const engine = th.remote.engine;
  throwIfAborted(io.signal);
  await ensureNetwork(ctx, th, io.journal);
  if (step.action === 'create') {
    io.progress(`${th.machine.name}: creating ${spec.name}`);
    await createAndStart(ctx, th, spec, io.journal);
  } else if (step.action === 'start') {
    io.progress(`${th.machine.name}: starting ${spec.name}`);
    await engine.startContainer(spec.name);
    io.journal.changed(`stop ${spec.name} on ${th.machine.name}`, async () => {
      await engine.stopContainer(spec.name);
    });
  } else if (step.action === 'recreate') {
    io.progress(`${th.machine.name}: recreating ${spec.name} (${step.reason ?? 'changed'})`);
    await setAside(ctx, th, spec, io.journal);
    // Its removal on rollback is the put-back's first step (whatever then holds the name goes).
    const id = await engine.createContainer(createOptions(spec, ctx.installerVersion));
    await engine.startContainer(id);
  }
  await waitHealthy(ctx, th, spec, io);
  const imageId = ctx.imageIds.get(th.machine.name)?.get(spec.image);
  return { name: spec.name, component: spec.component, machine: th.machine.name, action: step.action, ...(imageId ? { imageId } : {}) };
}

/** The published port of a component's health endpoint on its host. */
export function healthPort(spec: ContainerSpec): number {
  const health = component(spec.component).health;
  return spec.ports.find((p) => p.container === health.port)?.host ?? health.port;
}

export async function waitHealthy(ctx: InstallContext, th: TierHost, spec: ContainerSpec, io: PhaseIo): Promise<void> {
  const health = component(spec.component).health;
  const address = ctx.addresses![th.tier];
  const port = healthPort(spec);
  const deadline = Date.now() + ctx.options.healthTimeoutMs;
  let last = 'no answer yet';
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(io.signal);
    try {
      const answer = await th.remote.httpGet(address, port, health.path, { timeoutMs: 3000 });
      if (answer.status === 200) return;
      last = `HTTP ${answer.status} ${answer.body.trim().slice(0, 160)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    const state = await th.remote.engine.inspectContainer(spec.name);
    if (!state) throw await unhealthy(th, spec, 'it was removed');
    if (!state.running && attempt > 0) throw await unhealthy(th, spec, `it ${state.status} (exit code ${state.exitCode})`);
    if (Date.now() >= deadline) throw await unhealthy(th, spec, `http://${address}:${port}${health.path} did not answer 200 within ${Math.round(ctx.options.healthTimeoutMs / 1000)}s (last: ${last})`);
    io.progress(`${th.machine.name}: waiting for ${spec.name} (${last})`);
    await sleep(1000);
  }
}

async function unhealthy(th: TierHost, spec: ContainerSpec, why: string): Promise<HealError> {
  const logs = await th.remote.engine
    .containerLogs(spec.name, 20)
    .then((text) => lastLines(text, 20))
    .catch(() => ['(the log could not be read)']);
  return new HealError({
    code: 'install.unhealthy',
    message: `${spec.name} on ${th.machine.name} did not become healthy: ${why}`,
    details: ['last log lines:', ...logs.map((l) => `  ${l}`)],
    hint: `see the whole log with: docker logs ${spec.name} (on ${th.machine.name})`,
  });
}

export function lastLines(text: string, count: number): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count);
}
