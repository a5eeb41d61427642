import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINIO_PASSWORD_TARGET, MINIO_USER_TARGET } from '../../../src/render/minio.js';
import { mcCommand, mcSafe, storagePhase } from '../../../src/phases/install/storage.js';
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

  it('creates both buckets with mc inside the MinIO container, the credentials in no exec environment or argument', async () => {
    const { stack, ctx } = await planned();
    const seen: Array<{ cmd: readonly string[]; env: readonly string[] }> = [];
    stack.db.engine.onExec = (_container, cmd, env) => (seen.push({ cmd, env }), {});
    expect(await storagePhase.run(ctx, recordingIo())).toBe(
      'heal-pyroscope-minio create, buckets pyroscope and tempo ready',
    );
    expect(seen).toEqual([{ cmd: mcCommand(['mb', '--ignore-existing', 'heal/pyroscope', 'heal/tempo']), env: [] }]);
    const { minioAccessKey, minioSecretKey } = ctx.planned.state.current.secrets;
    for (const secret of [minioAccessKey, minioSecretKey]) {
      expect(seen[0]!.cmd.join(' ')).not.toContain(secret);
      expect(seen[0]!.env.join(' ')).not.toContain(secret);
    }
    expect(ctx.report.outcomes.map((o) => o.name)).toEqual(['heal-pyroscope-minio']);
  });

  it("gives mc its alias in a private config directory read from MinIO's own files, removed after", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-mc-'));
    try {
      writeFileSync(join(dir, 'user'), 'heal-0a1b2c\n');
      writeFileSync(join(dir, 'password'), 'Zx_9-secret');
      mkdirSync(join(dir, 'bin'));
      // A stand-in mc: prints its arguments, its config and its directory's mode.
      writeFileSync(
        join(dir, 'bin', 'mc'),
        '#!/bin/sh\necho "args: $*"\ncat "$2/config.json"\nstat -c "mode: %a" "$2"\necho "$2" >"$MC_SEEN"\n',
        { mode: 0o755 },
      );
      const [sh, ...args] = mcCommand(['mb', '--ignore-existing', 'heal/pyroscope']);
      const argv = args.map((a) =>
        a === MINIO_USER_TARGET ? join(dir, 'user') : a === MINIO_PASSWORD_TARGET ? join(dir, 'password') : a,
      );
      const r = await execa(sh!, argv, {
        env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, MC_SEEN: join(dir, 'seen') },
        extendEnv: false,
      });
      const [head, config, mode] = r.stdout.split('\n');
      expect(head).toMatch(/^args: --config-dir \/tmp\/heal-pyroscope-mc\.\d+ mb --ignore-existing heal\/pyroscope$/);
      expect(JSON.parse(config!)).toEqual({
        version: '10',
        aliases: {
          heal: {
            url: 'http://127.0.0.1:9000',
            accessKey: 'heal-0a1b2c',
            secretKey: 'Zx_9-secret',
            api: 's3v4',
            path: 'auto',
          },
        },
      });
      expect(mode).toBe('mode: 700');
      expect(existsSync(readFileSync(join(dir, 'seen'), 'utf8').trim())).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses credentials that would need escaping in JSON', async () => {
    expect(mcSafe('Zx_9-secret')).toBe(true);
    for (const bad of ['a"b', 'a\\b', 'a\nb', '']) expect(mcSafe(bad), bad).toBe(false);
    const { ctx } = await planned();
    ctx.planned.state.current.secrets.minioSecretKey = 'with"quote';
    await expect(storagePhase.run(ctx, recordingIo())).rejects.toMatchObject({ code: 'install.minio-secret' });
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
