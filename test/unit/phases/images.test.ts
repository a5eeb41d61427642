import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchive, writeArchive } from '../../../src/images/archive.js';
import { imagesPhase } from '../../../src/phases/install/images.js';
import type { InstallContext } from '../../../src/phases/install/context.js';
import { loadState } from '../../../src/state/state-file.js';
import { resolveImages } from '../../../src/stack/image-ref.js';
import { fakeStack, plannedInstall, recordingIo, type FakeStack } from '../support/fake-stack.js';

const IMAGES = resolveImages();

/** Every image present on its host except those named. */
function withImagesExcept(stack: FakeStack, ...missing: string[]): void {
  const on = { web: [IMAGES.haproxy], app: [IMAGES.pyroscope, IMAGES.tempo, IMAGES.grafana], db: [IMAGES.minio] };
  for (const tier of ['web', 'app', 'db'] as const)
    for (const ref of on[tier]) if (!missing.includes(ref)) stack[tier].engine.addImage(ref);
}

async function archiveOf(
  stack: FakeStack,
  refs: string[],
): Promise<NonNullable<InstallContext['options']['imagesFrom']>> {
  const dir = dirname(stack.statePath);
  const files = refs.map((ref, i) => {
    const file = join(dir, `${i}.tar`);
    writeFileSync(file, `docker save ${ref}`);
    return { ref, file };
  });
  const path = join(dir, 'images.tar');
  await writeArchive(path, files);
  return { path, archive: await readArchive(path) };
}

describe('images phase', () => {
  it('pulls only the images a machine lacks, and knows the ID of every image it runs', async () => {
    const stack = fakeStack();
    withImagesExcept(stack, IMAGES.tempo, IMAGES.grafana);
    const ctx = await plannedInstall(stack);
    expect(await imagesPhase.run(ctx, recordingIo())).toBe('2 image(s) pulled');
    expect(stack.app.engine.calls).toEqual([`pullImage ${IMAGES.tempo}`, `pullImage ${IMAGES.grafana}`]);
    expect([...stack.web.engine.calls, ...stack.db.engine.calls]).toEqual([]);
    expect([...ctx.report.imageIds.get('app-01')!.keys()].sort()).toEqual(
      [IMAGES.grafana, IMAGES.pyroscope, IMAGES.tempo].sort(),
    );
  });

  it('records what it pulled in the state file as soon as the pulls end', async () => {
    const stack = fakeStack();
    withImagesExcept(stack, IMAGES.minio);
    const ctx = await plannedInstall(stack);
    await imagesPhase.run(ctx, recordingIo());
    const id = (await stack.db.engine.inspectImage(IMAGES.minio))!.id;
    expect((await loadState(stack.statePath))?.pulledImages).toEqual({
      'db-01': [{ ref: IMAGES.minio, id, from: 'registry' }],
    });
  });

  it('removes on rollback what this run pulled, and only that, and forgets it', async () => {
    const stack = fakeStack();
    withImagesExcept(stack, IMAGES.tempo);
    const ctx = await plannedInstall(stack);
    const io = recordingIo();
    await imagesPhase.run(ctx, io);
    expect(io.changes()).toEqual([`remove image ${IMAGES.tempo} pulled on app-01`]);
    await io.rollback();
    expect(await stack.app.engine.inspectImage(IMAGES.tempo)).toBeUndefined();
    expect(await stack.app.engine.inspectImage(IMAGES.grafana)).toBeDefined();
    expect((await loadState(stack.statePath))?.pulledImages).toEqual({});
  });

  it('says so, and pulls nothing, when every image is present', async () => {
    const stack = fakeStack();
    withImagesExcept(stack);
    expect(await imagesPhase.run(await plannedInstall(stack), recordingIo())).toBe(
      'all images present, nothing pulled',
    );
  });

  it('loads the missing images from an archive instead of pulling them', async () => {
    const stack = fakeStack();
    withImagesExcept(stack, IMAGES.minio, IMAGES.haproxy);
    const imagesFrom = await archiveOf(stack, Object.values(IMAGES));
    const ctx = await plannedInstall(stack, { imagesFrom });
    expect(await imagesPhase.run(ctx, recordingIo())).toBe(`2 image(s) loaded from ${imagesFrom.path}`);
    expect(stack.db.engine.calls).toEqual([`loadImage ${IMAGES.minio}`]);
    expect(stack.web.engine.calls).toEqual([`loadImage ${IMAGES.haproxy}`]);
    expect((await loadState(stack.statePath))?.pulledImages?.['db-01']).toEqual([
      expect.objectContaining({ ref: IMAGES.minio, from: 'archive' }),
    ]);
  });

  it('refuses an archive that lacks an image a host needs, before loading anything', async () => {
    const stack = fakeStack();
    withImagesExcept(stack, IMAGES.minio, IMAGES.haproxy);
    const imagesFrom = await archiveOf(stack, [IMAGES.minio]);
    const ctx = await plannedInstall(stack, { imagesFrom });
    await expect(imagesPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'images.archive-incomplete',
      message: `${imagesFrom.path} lacks ${IMAGES.haproxy}; nothing was loaded`,
    });
    expect(stack.db.engine.calls).toEqual([]);
  });
});
