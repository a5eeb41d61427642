// Bringing one container to its planned state (create, recreate, start, keep) with everything
// journalled for rollback, then waiting for its health endpoint. A replaced container is stopped
// and renamed, not removed, until the whole run succeeds; data volumes are never removed here.

import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { HealError } from '../errors.js';
import { httpGet } from '../remote/index.js';
import { component } from '../stack/manifest.js';
import { createOptions, ownedLabels, type ContainerSpec } from './container-spec.js';
import type { ContainerOutcome, InstallContext, TierHost } from './context.js';
import { demuxLogs, lastLines } from './docker-logs.js';
import type { Journal, PhaseIo } from './phase.js';
import { throwIfAborted } from './runner.js';
import { NETWORK_NAME } from '../stack/manifest.js';

const ignore = (...codes: number[]) => (error: { statusCode?: number }) => {
  if (!codes.includes(error.statusCode ?? -1)) throw error;
};

export async function ensureNetwork(ctx: InstallContext, th: TierHost, journal: Journal): Promise<void> {
  const facts = ctx.facts.find((f) => f.tier === th.tier)!;
  if (facts.network) return;
  const existing = await th.remote.docker.listNetworks({ filters: { name: [NETWORK_NAME] } });
  if (existing.some((n) => n.Name === NETWORK_NAME)) return;
  const network = await th.remote.docker.createNetwork({ Name: NETWORK_NAME, Driver: 'bridge', Labels: ownedLabels(), CheckDuplicate: true });
  // Every tier on a machine shares the network: later tiers must see it as present.
  for (const f of ctx.facts.filter((x) => x.machine === facts.machine)) f.network = true;
  journal.changed(`remove network ${NETWORK_NAME} on ${th.machine.name}`, async () => {
    await network.remove().catch(ignore(404));
    for (const f of ctx.facts.filter((x) => x.machine === facts.machine)) f.network = false;
  });
}

async function ensureVolume(th: TierHost, spec: ContainerSpec): Promise<void> {
  if (!spec.volume) return;
  const volume = th.remote.docker.getVolume(spec.volume.name);
  const found = await volume.inspect().then(
    () => true,
    (e: { statusCode?: number }) => (e.statusCode === 404 ? false : Promise.reject(e)),
  );
  // Kept on rollback and on uninstall without --purge: it holds the component's data.
  if (!found) await th.remote.docker.createVolume({ Name: spec.volume.name, Labels: ownedLabels(spec.component) });
}

async function createAndStart(ctx: InstallContext, th: TierHost, spec: ContainerSpec, journal: Journal): Promise<Docker.Container> {
  await ensureVolume(th, spec);
  const container = await th.remote.docker.createContainer(createOptions(spec, ctx.installerVersion));
  journal.changed(`remove container ${spec.name} on ${th.machine.name}`, async () => {
    await container.remove({ force: true, v: true }).catch(ignore(404));
  });
  await container.start();
  return container;
}

export async function applyContainer(ctx: InstallContext, th: TierHost, spec: ContainerSpec, io: PhaseIo): Promise<ContainerOutcome> {
  const step = ctx.plan!.tiers.find((t) => t.tier === th.tier)!.containers.find((c) => c.name === spec.name)!;
  const docker = th.remote.docker;
  throwIfAborted(io.signal);
  await ensureNetwork(ctx, th, io.journal);
  if (step.action === 'create') {
    io.progress(`${th.machine.name}: creating ${spec.name}`);
    await createAndStart(ctx, th, spec, io.journal);
  } else if (step.action === 'start') {
    io.progress(`${th.machine.name}: starting ${spec.name}`);
    const container = docker.getContainer(spec.name);
    await container.start().catch(ignore(304));
    io.journal.changed(`stop ${spec.name} on ${th.machine.name}`, async () => {
      await container.stop().catch(ignore(304, 404));
    });
  } else if (step.action === 'recreate') {
    io.progress(`${th.machine.name}: recreating ${spec.name} (${step.reason ?? 'changed'})`);
    const old = docker.getContainer(spec.name);
    const oldId = ((await old.inspect()) as { Id: string }).Id;
    const kept = `${spec.name}-replaced-${ctx.runId}`;
    await old.stop({ t: 10 }).catch(ignore(304));
    await old.rename({ name: kept });
    io.journal.changed(`put back the previous ${spec.name} on ${th.machine.name}`, async () => {
      const current = await docker.getContainer(spec.name).inspect().catch(() => undefined);
      if (current && (current as { Id: string }).Id !== oldId) await docker.getContainer(spec.name).remove({ force: true, v: true });
      const previous = docker.getContainer(oldId);
      await previous.rename({ name: spec.name });
      await previous.start().catch(ignore(304));
    });
    io.journal.onSuccess(`remove the replaced ${spec.name} on ${th.machine.name}`, async () => {
      await docker.getContainer(oldId).remove({ force: true, v: true }).catch(ignore(404));
    });
    const container = await docker.createContainer(createOptions(spec, ctx.installerVersion));
    await container.start();
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
      const answer = await httpGet(th.remote.session, address, port, health.path, { timeoutMs: 3000 });
      if (answer.status === 200) return;
      last = `HTTP ${answer.status} ${answer.body.trim().slice(0, 160)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    const state = (await th.remote.docker.getContainer(spec.name).inspect()) as { State: { Running: boolean; Status: string; ExitCode: number } };
    if (!state.State.Running && attempt > 0) throw await unhealthy(th, spec, `it ${state.State.Status} (exit code ${state.State.ExitCode})`);
    if (Date.now() >= deadline) throw await unhealthy(th, spec, `http://${address}:${port}${health.path} did not answer 200 within ${Math.round(ctx.options.healthTimeoutMs / 1000)}s (last: ${last})`);
    io.progress(`${th.machine.name}: waiting for ${spec.name} (${last})`);
    await sleep(1000);
  }
}

async function unhealthy(th: TierHost, spec: ContainerSpec, why: string): Promise<HealError> {
  const logs = await th.remote.docker
    .getContainer(spec.name)
    .logs({ stdout: true, stderr: true, tail: 20, follow: false })
    .then((b) => lastLines(demuxLogs(b as unknown as Buffer), 20))
    .catch(() => ['(the log could not be read)']);
  return new HealError({
    code: 'install.unhealthy',
    message: `${spec.name} on ${th.machine.name} did not become healthy: ${why}`,
    details: ['last log lines:', ...logs.map((l) => `  ${l}`)],
    hint: `see the whole log with: docker logs ${spec.name} (on ${th.machine.name})`,
  });
}
