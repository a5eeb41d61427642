// The air-gapped image archive: one tar file holding `manifest.json` and one `docker save` tar per
// pinned image, so each host loads only the images it runs. Written and read with tar-stream (pax
// headers for long names, header checksums verified); local file I/O only, Docker is in src/remote.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { HealError, ExitCode } from '../core/errors.js';

export const ARCHIVE_FORMAT = 'heal-pyroscope-images/1';
const BLOCK = 512;
// Fixed metadata, so that the same images make the same archive.
const ENTRY = { mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 } as const;

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  /** Image reference (as the installer pulls it) -> entry name in the archive. */
  images: Record<string, string>;
  /**
   * Image reference -> the image ID `images save` saved (`sha256:...`). Absent in archives written
   * before IDs were recorded: install refuses those, since nothing says what they load.
   */
  ids?: Record<string, string>;
}

export interface ArchiveEntry {
  name: string;
  /** Byte offset of the entry's data in the archive file. */
  offset: number;
  size: number;
}

export function entryNameFor(ref: string): string {
  return `images/${ref.replace(/[^A-Za-z0-9._-]+/g, '_')}.tar`;
}

/** Writes the archive from files already on disk (their sizes must be known for the headers). */
export async function writeArchive(
  path: string,
  images: ReadonlyArray<{ ref: string; file: string; id?: string }>,
): Promise<void> {
  // tar-stream is loaded with the command that needs it, never by --help.
  const { pack } = await import('tar-stream');
  const ids = idsOf(images);
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    images: Object.fromEntries(images.map((i) => [i.ref, entryNameFor(i.ref)])),
    ...(ids ? { ids } : {}),
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const tar = pack();
  const written = pipeline(tar, createWriteStream(path, { mode: 0o644 }));
  try {
    await new Promise<void>((resolve, reject) => {
      tar.entry({ ...ENTRY, name: 'manifest.json', size: manifestBytes.length }, manifestBytes, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    for (const image of images) {
      const { size } = await stat(image.file);
      await pipeline(createReadStream(image.file), tar.entry({ ...ENTRY, name: entryNameFor(image.ref), size }));
    }
    tar.finalize();
  } catch (error) {
    tar.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
  await written;
}

/** Every image's ID by reference, when every image has one. */
function idsOf(images: ReadonlyArray<{ ref: string; id?: string }>): Record<string, string> | undefined {
  const ids: Record<string, string> = {};
  for (const i of images) {
    if (i.id === undefined) return undefined;
    ids[i.ref] = i.id;
  }
  return ids;
}

function invalid(path: string, why: string): HealError {
  return new HealError({
    code: 'images.archive',
    message: `${path} is not a heal-pyroscope image archive: ${why}`,
    hint: 'write one with `heal-pyroscope images save FILE` on a machine that can pull the images',
    exitCode: ExitCode.usage,
  });
}

/** tar-stream's parse errors in the operator's words. */
function tarProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Maybe the tar is corrupted/i.test(message))
    return 'a tar header checksum does not match (the file is corrupted, or not a plain tar)';
  if (/unknown format/i.test(message)) return 'not a tar file';
  if (/Unexpected end of data/i.test(message)) return 'it ends in the middle of an entry (truncated?)';
  return `unreadable tar (${message})`;
}

/**
 * Reads the whole archive once, which verifies every header's checksum, and returns the entry
 * table and the manifest; entries are then streamed by offset (`entryStream`).
 */
export async function readArchive(
  path: string,
): Promise<{ manifest: ArchiveManifest; entries: Map<string, ArchiveEntry> }> {
  const cannotRead = (e: NodeJS.ErrnoException) =>
    new HealError({
      code: 'images.archive',
      message: `cannot read ${path} (${e.code ?? e.message})`,
      hint: 'check the path given to --images-from',
      exitCode: ExitCode.usage,
    });
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw cannotRead(e);
  });
  if (!info.isFile()) throw cannotRead({ code: 'not a regular file' } as NodeJS.ErrnoException);
  const { extract } = await import('tar-stream');
  const entries = new Map<string, ArchiveEntry>();
  const manifestChunks: Buffer[] = [];
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    if (header.type === 'file')
      entries.set(header.name, { name: header.name, offset: stream.offset + BLOCK, size: header.size });
    if (header.name === 'manifest.json') stream.on('data', (chunk: unknown) => manifestChunks.push(chunk as Buffer));
    stream.on('end', () => next());
    // A cut-off entry fails its stream and the extractor alike: the pipeline below reports it once.
    stream.on('error', () => undefined);
    stream.resume();
  });
  try {
    await pipeline(createReadStream(path), tar);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('E')) throw cannotRead(error as NodeJS.ErrnoException);
    throw invalid(path, tarProblem(error));
  }
  if (!entries.has('manifest.json')) throw invalid(path, entries.size === 0 ? 'no tar entries' : 'no manifest.json');
  let manifest: ArchiveManifest;
  try {
    manifest = JSON.parse(Buffer.concat(manifestChunks).toString('utf8')) as ArchiveManifest;
  } catch {
    throw invalid(path, 'manifest.json is not JSON');
  }
  if (manifest.format !== ARCHIVE_FORMAT)
    throw invalid(path, `format ${String(manifest.format)}, expected ${ARCHIVE_FORMAT}`);
  for (const [ref, name] of Object.entries(manifest.images))
    if (!entries.has(name)) throw invalid(path, `${ref} is listed but ${name} is missing`);
  return { manifest, entries };
}

/**
 * One ustar header block for a regular file. Only test/integration/transport.test.ts still builds
 * a `docker cp` payload with it; archives are written by tar-stream.
 */
export function tarHeader(name: string, size: number, mtime = 0): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
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

/** What one `docker save` tar in the archive would load: its tags and its image ID (its config's digest). */
export interface SavedImage {
  tags: string[];
  id: string;
}

/**
 * Reads the `manifest.json` of one `docker save` tar of the archive (the whole entry is read, its
 * headers checked): the tags it would set and the ID of the image it would load. An entry holding
 * more or less than one image is refused.
 */
export async function savedImage(path: string, entry: ArchiveEntry): Promise<SavedImage> {
  const { extract } = await import('tar-stream');
  const chunks: Buffer[] = [];
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    if (header.name === 'manifest.json') stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => next());
    stream.on('error', () => undefined);
    stream.resume();
  });
  try {
    await pipeline(entryStream(path, entry), tar);
  } catch (error) {
    throw invalid(path, `${entry.name}: ${tarProblem(error)}`);
  }
  let listed: Array<{ Config?: unknown; RepoTags?: unknown }>;
  try {
    listed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof listed;
  } catch {
    throw invalid(path, `${entry.name} is not a docker save tar (no manifest.json)`);
  }
  const [only, ...more] = Array.isArray(listed) ? listed : [];
  if (!only || more.length > 0 || typeof only.Config !== 'string')
    throw invalid(path, `${entry.name} does not hold exactly one image`);
  // `HEX.json` (docker save before 25) or `blobs/sha256/HEX` (the OCI layout): the config's digest is the ID.
  const hex = /(?:^|\/)([0-9a-f]{64})(?:\.json)?$/.exec(only.Config)?.[1];
  if (hex === undefined) throw invalid(path, `${entry.name} names its image config oddly (${only.Config})`);
  const tags = Array.isArray(only.RepoTags) ? only.RepoTags.filter((t): t is string => typeof t === 'string') : [];
  return { tags, id: `sha256:${hex}` };
}

/** Why an archive entry may not be loaded for `ref` (undefined when it may): it must tag only `ref`, as the ID recorded. */
export function savedImageProblem(ref: string, recordedId: string | undefined, saved: SavedImage): string | undefined {
  if (recordedId === undefined)
    return 'it records no image IDs (written by an older heal-pyroscope): write it again with `images save`';
  const others = saved.tags.filter((t) => t !== ref);
  if (others.length > 0) return `the entry for ${ref} would also tag ${others.join(', ')}`;
  if (!saved.tags.includes(ref))
    return `the entry for ${ref} does not tag it (it tags ${saved.tags.join(', ') || 'nothing'})`;
  if (saved.id !== recordedId) return `the entry for ${ref} holds image ${saved.id}, not ${recordedId} as recorded`;
  return undefined;
}

export function entryStream(path: string, entry: ArchiveEntry): NodeJS.ReadableStream {
  return createReadStream(path, { start: entry.offset, end: entry.offset + entry.size - 1 });
}
