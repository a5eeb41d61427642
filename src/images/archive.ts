// The air-gapped image archive: one tar file holding `manifest.json` and one `docker save` tar per
// pinned image, so each host loads only the images it runs. Plain ustar, written and read here
// (local file I/O only; Docker is reached through src/remote).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { HealError, ExitCode } from '../errors.js';

export const ARCHIVE_FORMAT = 'heal-pyroscope-images/1';
const BLOCK = 512;

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  /** Image reference (as the installer pulls it) -> entry name in the archive. */
  images: Record<string, string>;
}

export interface ArchiveEntry {
  name: string;
  offset: number;
  size: number;
}

export function entryNameFor(ref: string): string {
  return `images/${ref.replace(/[^A-Za-z0-9._-]+/g, '_')}.tar`;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar header block for a regular file. */
export function tarHeader(name: string, size: number, mtime = 0): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum is computed with this field as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);

/** Writes the archive from files already on disk (their sizes must be known for the headers). */
export async function writeArchive(path: string, images: ReadonlyArray<{ ref: string; file: string }>): Promise<void> {
  const manifest: ArchiveManifest = { format: ARCHIVE_FORMAT, images: Object.fromEntries(images.map((i) => [i.ref, entryNameFor(i.ref)])) };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const out = createWriteStream(path, { mode: 0o644 });
  const write = async (chunk: Buffer) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  await write(tarHeader('manifest.json', manifestBytes.length));
  await write(manifestBytes);
  await write(padding(manifestBytes.length));
  for (const image of images) {
    const { size } = await stat(image.file);
    await write(tarHeader(entryNameFor(image.ref), size));
    await pipeline(createReadStream(image.file), out, { end: false });
    await write(padding(size));
  }
  await write(Buffer.alloc(BLOCK * 2, 0));
  out.end();
  await once(out, 'finish');
}

function invalid(path: string, why: string): HealError {
  return new HealError({
    code: 'images.archive',
    message: `${path} is not a heal-pyroscope image archive: ${why}`,
    hint: 'write one with `heal-pyroscope images save FILE` on a machine that can pull the images',
    exitCode: ExitCode.usage,
  });
}

/** Reads the entry table (headers only) and the manifest. */
export async function readArchive(path: string): Promise<{ manifest: ArchiveManifest; entries: Map<string, ArchiveEntry> }> {
  const handle = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new HealError({ code: 'images.archive', message: `cannot read ${path} (${e.code ?? e.message})`, hint: 'check the path given to --images-from', exitCode: ExitCode.usage });
  });
  try {
    const entries = new Map<string, ArchiveEntry>();
    const { size: total } = await handle.stat();
    const header = Buffer.alloc(BLOCK);
    let offset = 0;
    while (offset + BLOCK <= total) {
      await handle.read(header, 0, BLOCK, offset);
      if (header.every((b) => b === 0)) break;
      const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const size = parseInt(header.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim() || 'NaN', 8);
      if (!name || !Number.isFinite(size) || header.toString('ascii', 257, 262) !== 'ustar') throw invalid(path, `bad tar header at byte ${offset}`);
      entries.set(name, { name, offset: offset + BLOCK, size });
      offset += BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    }
    const m = entries.get('manifest.json');
    if (!m) throw invalid(path, 'no manifest.json');
    const buf = Buffer.alloc(m.size);
    await handle.read(buf, 0, m.size, m.offset);
    let manifest: ArchiveManifest;
    try {
      manifest = JSON.parse(buf.toString('utf8')) as ArchiveManifest;
    } catch {
      throw invalid(path, 'manifest.json is not JSON');
    }
    if (manifest.format !== ARCHIVE_FORMAT) throw invalid(path, `format ${String(manifest.format)}, expected ${ARCHIVE_FORMAT}`);
    for (const [ref, name] of Object.entries(manifest.images)) if (!entries.has(name)) throw invalid(path, `${ref} is listed but ${name} is missing`);
    return { manifest, entries };
  } finally {
    await handle.close();
  }
}

export function entryStream(path: string, entry: ArchiveEntry): NodeJS.ReadableStream {
  return createReadStream(path, { start: entry.offset, end: entry.offset + entry.size - 1 });
}
