import { describe, expect, it, vi } from 'vitest';
import { containerLabels, createOptions, volumeName, type ContainerSpec } from '../../../src/plan/container-spec.js';
import { applyContainer, ensureNetwork } from '../../../src/phases/install/containers.js';
import type { PlannedInstall } from '../../../src/phases/install/context.js';
import { saveState } from '../../../src/state/state-file.js';
import { LABELS, NETWORK_NAME, PRODUCT } from '../../../src/stack/manifest.js';
import type { FakeEngine } from '../support/fake-engine.js';
import { fakeStack, plannedInstall, recordingIo, type FakeStack } from '../support/fake-stack.js';

const MINIO = 'heal-pyroscope-minio';
const minio = (ctx: PlannedInstall) => ctx.planned.specs.find((s) => s.name === MINIO)!;

/**
 * The db host with MinIO's image present, shaped by `prepare` (given MinIO's spec and the labels
 * an install gives its container), then planned as an install would.
 */
async function planned(
  prepare: (engine: FakeEngine, spec: ContainerSpec, labels: Record<string, string>) => void = () => undefined,
): Promise<{ stack: FakeStack; ctx: PlannedInstall }> {
  const stack = fakeStack();
  // The first plan generates the credentials; saved, the second plan renders the same specs.
  const first = await plannedInstall(stack);
  await saveState(stack.statePath, first.planned.state.current);
  stack.db.engine.addImage(minio(first).image);
  prepare(stack.db.engine, minio(first), containerLabels(minio(first), first.installerVersion));
  const ctx = await plannedInstall(stack);
  return { stack, ctx };
}

describe('bringing a container to its planned state', () => {
  it('creates a missing container from its create options, with its data volume and the network, and starts it', async () => {
    const { stack, ctx } = await planned();
    const outcome = await applyContainer(ctx, minio(ctx), recordingIo());
    expect(outcome).toMatchObject({ name: MINIO, action: 'create', machine: 'db-01' });
    const created = stack.db.engine.container(MINIO)!;
    expect(created.running).toBe(true);
    expect(created.body).toEqual(createOptions(minio(ctx), ctx.installerVersion));
    expect(stack.db.engine.volumes).toEqual([
      {
        name: volumeName('minio'),
        labels: { [LABELS.product]: PRODUCT, [LABELS.component]: 'minio', [LABELS.createdBy]: 'run1' },
      },
    ]);
    expect(stack.db.engine.networks.map((n) => n.name)).toEqual([NETWORK_NAME]);
  });

  it('waits for the health endpoint as the host reaches it', async () => {
    const { stack, ctx } = await planned();
    await applyContainer(ctx, minio(ctx), recordingIo());
    expect(stack.db.requests).toEqual(['10.213.0.13:9000/minio/health/live']);
  });

  it("removes on rollback the container, network and data volume it created (a new volume holds no one's data yet)", async () => {
    const { stack, ctx } = await planned();
    const io = recordingIo();
    await applyContainer(ctx, minio(ctx), io);
    await io.rollback();
    expect(stack.db.engine.container(MINIO)).toBeUndefined();
    expect(stack.db.engine.networks).toEqual([]);
    expect(stack.db.engine.volumes).toEqual([]);
  });

  it('keeps on rollback a data volume and a network that were there before the run', async () => {
    const { stack, ctx } = await planned((engine) => {
      engine.addVolume(volumeName('minio'), { [LABELS.product]: PRODUCT, [LABELS.component]: 'minio' });
      engine.addNetwork(NETWORK_NAME, { [LABELS.product]: PRODUCT });
    });
    const io = recordingIo();
    await applyContainer(ctx, minio(ctx), io);
    await io.rollback();
    expect(stack.db.engine.container(MINIO)).toBeUndefined();
    expect(stack.db.engine.volumes.map((v) => v.name)).toEqual([volumeName('minio')]);
    expect(stack.db.engine.networks.map((n) => n.name)).toEqual([NETWORK_NAME]);
    expect(stack.db.engine.calls.filter((c) => c.startsWith('remove'))).toEqual([`removeContainer ${MINIO}`]);
  });

  it('refuses a volume of its name that is not ours, using and removing nothing', async () => {
    const { stack, ctx } = await planned((engine) => engine.addVolume(volumeName('minio'), { owner: 'someone' }));
    const io = recordingIo();
    await expect(applyContainer(ctx, minio(ctx), io)).rejects.toMatchObject({
      code: 'install.not-ours',
      message: `volume ${volumeName('minio')} on db-01 exists but was not created by heal-pyroscope (no label ${LABELS.product}=${PRODUCT}): not used, not removed`,
    });
    await io.rollback();
    expect(stack.db.engine.container(MINIO)).toBeUndefined();
    expect(stack.db.engine.volumes.map((v) => v.name)).toEqual([volumeName('minio')]);
  });

  it('refuses a network of its name that is not ours, before creating anything', async () => {
    const { stack, ctx } = await planned((engine) => engine.addNetwork(NETWORK_NAME));
    const io = recordingIo();
    await expect(applyContainer(ctx, minio(ctx), io)).rejects.toMatchObject({
      code: 'install.not-ours',
      message: expect.stringContaining(`network ${NETWORK_NAME} on db-01 exists but was not created by heal-pyroscope`),
    });
    expect(io.changes()).toEqual([]);
    expect(stack.db.engine.networks.map((n) => n.name)).toEqual([NETWORK_NAME]);
    expect(stack.db.engine.containers).toEqual([]);
  });

  it('leaves an unchanged running container alone', async () => {
    const { stack, ctx } = await planned((engine, spec, labels) => {
      engine.addNetwork(NETWORK_NAME, { [LABELS.product]: PRODUCT });
      engine.addContainer(MINIO, { labels, image: spec.image });
    });
    const outcome = await applyContainer(ctx, minio(ctx), recordingIo());
    expect(outcome.action).toBe('unchanged');
    expect(stack.db.engine.calls).toEqual([]);
  });

  it('starts a stopped container, and stops it again on rollback', async () => {
    const { stack, ctx } = await planned((engine, spec, labels) =>
      engine.addContainer(MINIO, { labels, image: spec.image, running: false }),
    );
    const io = recordingIo();
    expect((await applyContainer(ctx, minio(ctx), io)).action).toBe('start');
    expect(stack.db.engine.container(MINIO)!.running).toBe(true);
    await io.rollback();
    expect(stack.db.engine.container(MINIO)!.running).toBe(false);
  });

  it('recreates a changed container, keeping the old one stopped under another name until the run succeeds', async () => {
    const { stack, ctx } = await planned((engine, spec, labels) =>
      engine.addContainer(MINIO, { labels: { ...labels, [LABELS.specHash]: 'old' }, image: spec.image }),
    );
    const old = stack.db.engine.container(MINIO)!;
    const io = recordingIo();
    expect((await applyContainer(ctx, minio(ctx), io)).action).toBe('recreate');
    const current = stack.db.engine.container(MINIO)!;
    expect(current.id).not.toBe(old.id);
    expect(current.running).toBe(true);
    expect(stack.db.engine.container(`${MINIO}-replaced-run1`)).toMatchObject({ id: old.id, running: false });
    await io.succeed();
    expect(stack.db.engine.container(old.id)).toBeUndefined();
    expect(stack.db.engine.container(MINIO)!.id).toBe(current.id);
  });

  it('puts the old container back, running under its name, when the run rolls back', async () => {
    const { stack, ctx } = await planned((engine, spec, labels) =>
      engine.addContainer(MINIO, { labels: { ...labels, [LABELS.specHash]: 'old' }, image: spec.image }),
    );
    const old = stack.db.engine.container(MINIO)!;
    const io = recordingIo();
    await applyContainer(ctx, minio(ctx), io);
    await io.rollback();
    expect(stack.db.engine.containers).toEqual([expect.objectContaining({ id: old.id, name: MINIO, running: true })]);
  });

  it('fails naming the last log lines when the container does not answer in time', async () => {
    const { stack, ctx } = await planned();
    ctx.options.healthTimeoutMs = 0;
    stack.db.http = () => ({ status: 503, body: 'starting' });
    stack.db.engine.logs.set(MINIO, 'line 1\nFATAL Unable to use the drive /data: drive not found\n');
    const failure = applyContainer(ctx, minio(ctx), recordingIo());
    await expect(failure).rejects.toMatchObject({
      code: 'install.unhealthy',
      message: expect.stringContaining('did not answer 200 within 0s (last: HTTP 503 starting)'),
    });
    await expect(failure).rejects.toMatchObject({
      details: ['last log lines:', '  line 1', '  FATAL Unable to use the drive /data: drive not found'],
    });
  });
});

describe('the network, with containers started at the same time', () => {
  it('is asked for once per machine and run, and its removal journalled once', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    const asked = vi.spyOn(stack.app.engine, 'ensureNetwork');
    const host = ctx.hosts.forTier('app');
    const io = recordingIo();
    await Promise.all([
      ensureNetwork(host, io.journal),
      ensureNetwork(host, io.journal),
      ensureNetwork(host, io.journal),
    ]);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(io.changes().filter((c) => c.includes(NETWORK_NAME))).toHaveLength(1);
    // Another run (another journal) asks the engine again.
    await ensureNetwork(host, recordingIo().journal);
    expect(asked).toHaveBeenCalledTimes(2);
  });
});
