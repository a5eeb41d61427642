import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
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

/** The image ID the fake engine gives `ref` when it loads it. */
const fakeId = (ref: string) => `sha256:${createHash('sha256').update(ref).digest('hex')}`;

/** A `docker save` tar as the engine writes it: manifest.json naming the config (the ID) and the tags. */
async function saveTar(file: string, tags: string[], id: string): Promise<void> {
  const hex = id.slice('sha256:'.length);
  const tar = pack();
  const done = pipeline(tar, createWriteStream(file));
  tar.entry({ name: `${hex}.json` }, '{}');
  tar.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: `${hex}.json`, RepoTags: tags, Layers: [] }]));
  tar.finalize();
  await done;
}

async function archiveOf(
  stack: FakeStack,
  refs: string[],
  crafted: {
    tags?: Readonly<Record<string, readonly string[]>>;
    ids?: Readonly<Record<string, string>>;
    noIds?: boolean;
  } = {},
): Promise<NonNullable<InstallContext['options']['imagesFrom']>> {
  const dir = dirname(stack.statePath);
  const files = await Promise.all(
    refs.map(async (ref, i) => {
      const file = join(dir, `${i}.tar`);
      await saveTar(file, [...(crafted.tags?.[ref] ?? [ref])], crafted.ids?.[ref] ?? fakeId(ref));
      return { ref, file, ...(crafted.noIds ? {} : { id: fakeId(ref) }) };
    }),
  );
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

  it.each([
    [
      'tags another image too',
      { tags: { [IMAGES.minio]: [IMAGES.minio, 'debian:bookworm'] } },
      /would also tag debian:bookworm/,
    ],
    [
      'holds another image than the recorded one',
      { ids: { [IMAGES.minio]: fakeId('evil') } },
      /holds image sha256:.* not sha256:/,
    ],
    ['records no image IDs', { noIds: true }, /records no image IDs/],
  ] as const)('refuses an archive whose entry %s, before loading anything', async (_what, crafted, why) => {
    const stack = fakeStack();
    withImagesExcept(stack, IMAGES.minio, IMAGES.haproxy);
    const imagesFrom = await archiveOf(stack, Object.values(IMAGES), crafted);
    const ctx = await plannedInstall(stack, { imagesFrom });
    await expect(imagesPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'images.archive-mismatch',
      exitCode: 2,
      message: expect.stringMatching(why),
    });
    expect(stack.db.engine.calls).toEqual([]);
    expect(stack.web.engine.calls).toEqual([]);
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
