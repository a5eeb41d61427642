import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { entryNameFor, entryStream, readArchive, writeArchive } from '../../../src/images/archive.js';

function fixture(): { dir: string; images: { ref: string; file: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-archive-'));
  const a = join(dir, 'a.tar');
  const b = join(dir, 'b.tar');
  writeFileSync(a, 'first image bytes');
  writeFileSync(b, Buffer.alloc(1500, 7));
  return { dir, images: [{ ref: 'grafana/pyroscope:1.14.0', file: a }, { ref: 'registry.internal:5000/mirror/haproxy:3.2.4', file: b }] };
}

describe('image archive', () => {
  it('writes a tar that the real tar lists and extracts', async () => {
    const { dir, images } = fixture();
    const path = join(dir, 'images.tar');
    await writeArchive(path, images);
    const list = (await execa('tar', ['-tf', path])).stdout.split('\n');
    expect(list).toEqual(['manifest.json', entryNameFor(images[0]!.ref), entryNameFor(images[1]!.ref)]);
    await execa('tar', ['-xf', path, '-C', dir]);
    expect(readFileSync(join(dir, entryNameFor(images[0]!.ref)), 'utf8')).toBe('first image bytes');
  });

  it('reads back the manifest and streams each entry exactly', async () => {
    const { dir, images } = fixture();
    const path = join(dir, 'images.tar');
    await writeArchive(path, images);
    const { manifest, entries } = await readArchive(path);
    expect(Object.keys(manifest.images)).toEqual(images.map((i) => i.ref));
    const second = entries.get(manifest.images[images[1]!.ref]!)!;
    expect(second.size).toBe(1500);
    expect(await text(entryStream(path, entries.get(manifest.images[images[0]!.ref]!)!) as never)).toBe('first image bytes');
  });

  it('refuses a file that is not an image archive, naming it', async () => {
    const { dir } = fixture();
    const path = join(dir, 'not.tar');
    await execa('tar', ['-cf', path, '-C', dir, 'a.tar']);
    await expect(readArchive(path)).rejects.toThrow(`${path} is not a heal-pyroscope image archive: no manifest.json`);
    await expect(readArchive(join(dir, 'missing.tar'))).rejects.toThrow(/cannot read .*missing\.tar \(ENOENT\)/);
  });
});
