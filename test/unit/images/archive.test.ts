import { execa } from 'execa';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { entryNameFor, entryStream, readArchive, tarHeader, writeArchive } from '../../../src/images/archive.js';

function fixture(): { dir: string; images: { ref: string; file: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-archive-'));
  const a = join(dir, 'a.tar');
  const b = join(dir, 'b.tar');
  writeFileSync(a, 'first image bytes');
  writeFileSync(b, Buffer.alloc(1500, 7));
  return {
    dir,
    images: [
      { ref: 'grafana/pyroscope:1.14.0', file: a },
      { ref: 'registry.internal:5000/mirror/haproxy:3.2.4', file: b },
    ],
  };
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
    expect(await text(entryStream(path, entries.get(manifest.images[images[0]!.ref]!)!) as never)).toBe(
      'first image bytes',
    );
  });

  it('refuses a file that is not an image archive, naming it', async () => {
    const { dir } = fixture();
    const path = join(dir, 'not.tar');
    await execa('tar', ['-cf', path, '-C', dir, 'a.tar']);
    await expect(readArchive(path)).rejects.toThrow(`${path} is not a heal-pyroscope image archive: no manifest.json`);
    await expect(readArchive(join(dir, 'missing.tar'))).rejects.toThrow(/cannot read .*missing\.tar \(ENOENT\)/);
  });

  it('holds images whose names pass the 100 bytes of a plain tar header (a long registry prefix)', async () => {
    const { dir } = fixture();
    const ref = 'registry.example.internal:5000/platform/mirrors/obs/quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z';
    const file = join(dir, 'long.tar');
    writeFileSync(file, 'long name image bytes');
    const path = join(dir, 'images.tar');
    await writeArchive(path, [{ ref, file }]);
    expect(entryNameFor(ref).length).toBeGreaterThan(100);
    expect((await execa('tar', ['-tf', path])).stdout.split('\n')).toEqual(['manifest.json', entryNameFor(ref)]);
    const { manifest, entries } = await readArchive(path);
    expect(await text(entryStream(path, entries.get(manifest.images[ref]!)!) as never)).toBe('long name image bytes');
  });

  it('refuses an archive whose header checksum does not match, naming the cause', async () => {
    const { dir, images } = fixture();
    const path = join(dir, 'images.tar');
    await writeArchive(path, images);
    const bytes = readFileSync(path);
    const { entries } = await readArchive(path);
    const first = entries.get(entryNameFor(images[0]!.ref))!;
    bytes.writeUInt8(bytes.readUInt8(first.offset - 512 + 3) ^ 0x20, first.offset - 512 + 3); // one flipped bit in the entry's name
    writeFileSync(path, bytes);
    await expect(readArchive(path)).rejects.toThrow(
      `${path} is not a heal-pyroscope image archive: a tar header checksum does not match`,
    );
  });

  it('refuses a truncated archive', async () => {
    const { dir, images } = fixture();
    const path = join(dir, 'images.tar');
    await writeArchive(path, images);
    truncateSync(path, 4000); // inside the second image's bytes
    await expect(readArchive(path)).rejects.toThrow(
      /not a heal-pyroscope image archive: it ends in the middle of an entry/,
    );
  });

  it('refuses a file that is not a tar at all', async () => {
    const { dir } = fixture();
    const path = join(dir, 'garbage.tar');
    writeFileSync(path, Buffer.alloc(4096, 0x41));
    await expect(readArchive(path)).rejects.toThrow(
      /not a heal-pyroscope image archive: a tar header checksum does not match/,
    );
  });

  it('reads archives written by the earlier hand-written ustar writer', async () => {
    const { dir } = fixture();
    const path = join(dir, 'old.tar');
    const manifest = Buffer.from(
      JSON.stringify({ format: 'heal-pyroscope-images/1', images: { 'haproxy:3.2.4': 'images/haproxy_3.2.4.tar' } }),
    );
    const body = Buffer.from('old image');
    const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
    writeFileSync(
      path,
      Buffer.concat([
        tarHeader('manifest.json', manifest.length),
        manifest,
        pad(manifest.length),
        tarHeader('images/haproxy_3.2.4.tar', body.length),
        body,
        pad(body.length),
        Buffer.alloc(1024),
      ]),
    );
    const { manifest: read, entries } = await readArchive(path);
    expect(await text(entryStream(path, entries.get(read.images['haproxy:3.2.4']!)!) as never)).toBe('old image');
  });
});
