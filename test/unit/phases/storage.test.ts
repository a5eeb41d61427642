import { describe, expect, it } from 'vitest';
import { storagePhase, mcHostEnv } from '../../../src/phases/install/storage.js';
import type { PlannedInstall } from '../../../src/phases/install/context.js';
import { resolveImages } from '../../../src/stack/image-ref.js';
import { fakeStack, plannedInstall, recordingIo, type FakeStack } from '../support/fake-stack.js';

async function planned(): Promise<{ stack: FakeStack; ctx: PlannedInstall }> {
  const stack = fakeStack();
  stack.db.engine.addImage(resolveImages().minio);
  return { stack, ctx: await plannedInstall(stack) };
}

describe('storage phase', () => {
  it('refuses to start MinIO when a credential file is missing or empty (it would fall back to minioadmin)', async () => {
    const { stack, ctx } = await planned();
    stack.db.onExec('test -s /opt/heal-pyroscope/db/minio/root-password', { code: 1 });
    await expect(storagePhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'install.minio-secret',
      message: expect.stringContaining('/opt/heal-pyroscope/db/minio/root-password is missing or empty on db-01'),
    });
    expect(stack.db.engine.calls).toEqual([]);
  });

  it('creates both buckets with mc inside the MinIO container, the credentials in its environment only', async () => {
    const { stack, ctx } = await planned();
    const seen: Array<{ cmd: readonly string[]; env: readonly string[] }> = [];
    stack.db.engine.onExec = (_container, cmd, env) => (seen.push({ cmd, env }), {});
    expect(await storagePhase.run(ctx, recordingIo())).toBe(
      'heal-pyroscope-minio create, buckets pyroscope and tempo ready',
    );
    expect(seen).toEqual([
      {
        cmd: ['mc', 'mb', '--ignore-existing', 'heal/pyroscope', 'heal/tempo'],
        env: [mcHostEnv(ctx.planned.state.current.secrets)],
      },
    ]);
    expect(seen[0]!.cmd.join(' ')).not.toContain(ctx.planned.state.current.secrets.minioSecretKey);
    expect(ctx.report.outcomes.map((o) => o.name)).toEqual(['heal-pyroscope-minio']);
  });

  it("fails with mc's own words when the buckets cannot be made", async () => {
    const { stack, ctx } = await planned();
    stack.db.engine.onExec = () => ({
      code: 1,
      output:
        'mc: <ERROR> Unable to make bucket `heal/pyroscope`. The Access Key Id you provided does not exist in our records.\n',
    });
    await expect(storagePhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'install.buckets',
      message:
        'creating the buckets in MinIO on db-01 failed: mc: <ERROR> Unable to make bucket `heal/pyroscope`. The Access Key Id you provided does not exist in our records.',
    });
  });

  it("starts MinIO once db-01's own images are there, whatever the other machines still pull", async () => {
    const { stack, ctx } = await planned();
    ctx.imagesReady.arm(['web-01', 'app-01', 'db-01']);
    const running = storagePhase.run(ctx, recordingIo());
    await new Promise((r) => setTimeout(r, 20));
    expect(stack.db.engine.calls.filter((c) => c.startsWith('createContainer'))).toEqual([]);
    ctx.imagesReady.open('db-01');
    expect(await running).toBe('heal-pyroscope-minio create, buckets pyroscope and tempo ready');
  });

  it("fails with the pull's own error when db-01's images could not be pulled, creating nothing", async () => {
    const { stack, ctx } = await planned();
    ctx.imagesReady.arm(['db-01']);
    ctx.imagesReady.fail('db-01', new Error('quay.io/minio/minio: not found'));
    await expect(storagePhase.run(ctx, recordingIo())).rejects.toThrow('quay.io/minio/minio: not found');
    expect(stack.db.engine.calls.filter((c) => c.startsWith('createContainer'))).toEqual([]);
  });
});
