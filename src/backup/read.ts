// Reads a backup archive, streaming: `verifyBackup` reads it once end to end (every tar header's own
// checksum, each member's size and sha256 against the manifest, the manifest against its sum)
// before anything is changed; `streamVolumes` reads it again and hands each volume's entries, as a
// tar of their own, to the one who fills the volume, checking the checksums once more on the way.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar-stream';
import { ExitCode, HealError } from '../core/errors.js';
import type { InstallState } from '../state/state-file.js';
import type { ComponentName } from '../stack/manifest.js';
import {
  entryProblem,
  MANIFEST_ENTRY,
  SMALL_MEMBER_LIMIT,
  STATE_ENTRY,
  MANIFEST_SUM_ENTRY,
  manifestProblem,
  type EntryHeader,
  memberOf,
  memberProblem,
  MemberDigest,
  movedHeader,
  sha256Hex,
  type BackupManifest,
  type BackupMember,
} from './format.js';
import { tap } from './write.js';

export interface VerifiedBackup {
  path: string;
  bytes: number;
  manifest: BackupManifest;
  /** The state file as it was backed up: the credentials the volumes' data goes with. */
  state: InstallState;
}

export function refused(path: string, why: string, exitCode: ExitCode = ExitCode.usage): HealError {
  return new HealError({
    code: 'restore.archive',
    message: `${path} is refused: ${why}; nothing was changed`,
    hint:
      'use another copy of the backup (its manifest lists each member with its sha256), or write a new ' +
      'one with `heal-pyroscope backup FILE`',
    exitCode,
  });
}

/** tar-stream's parse errors in the operator's words, naming where they happened. */
function tarProblem(error: unknown, after: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!after) return 'not a tar file (or its first header is corrupted)';
  const where = ` after ${after}`;
  if (/Maybe the tar is corrupted/i.test(message))
    return `a tar header${where} is corrupted (its checksum does not match)`;
  if (/Unexpected end of data/i.test(message)) return `it ends in the middle of an entry${where} (truncated?)`;
  if (/unknown format/i.test(message)) return 'not a tar file';
  return `unreadable tar${where} (${message})`;
}

async function openArchive(path: string): Promise<{ bytes: number; stream: Readable }> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw refused(path, `cannot be read (${e.code ?? e.message})`);
  });
  if (!info.isFile()) throw refused(path, 'not a regular file');
  return { bytes: info.size, stream: createReadStream(path) };
}

/** An entry's header as it was inside its member: a hard link names its target without the member's prefix. */
function innerHeader<H extends EntryHeader>(header: H, member: string): H {
  if (header.type !== 'link' || !header.linkname?.startsWith(`${member}/`)) return header;
  return { ...header, linkname: header.linkname.slice(member.length + 1) };
}

/** Reads the whole archive once and proves it whole; nothing else is read from it before this passed. */
export async function verifyBackup(path: string): Promise<VerifiedBackup> {
  const { extract } = await import('tar-stream');
  const { bytes, stream } = await openArchive(path);
  const digests = new Map<string, MemberDigest>();
  // The entries read whole, by name: the manifest, its checksum and the state member.
  const manifestChunks: Buffer[] = [];
  const sumChunks: Buffer[] = [];
  const stateChunks: Buffer[] = [];
  const own = new Map<string, Buffer[]>([
    [MANIFEST_ENTRY, manifestChunks],
    [MANIFEST_SUM_ENTRY, sumChunks],
    ['state', stateChunks],
  ]);
  let problem: string | undefined;
  let last: string | undefined;
  const seen = new Map<string, { names: Set<string>; files: Set<string> }>();
  const ex = extract();
  ex.on('entry', (header, entry, next) => {
    const fail = (why: string) => {
      problem ??= why;
      entry.resume();
      next(new Error(why));
    };
    // A broken entry fails the extractor too: the pipeline below reports it once.
    entry.on('error', () => undefined);
    last = header.name;
    const owned = memberOf(header.name);
    const keep = own.get(header.name) ?? (owned?.member === 'state' ? own.get('state') : undefined);
    if (!owned && !own.has(header.name))
      return fail(`unexpected entry ${JSON.stringify(header.name)}: not a heal-pyroscope backup`);
    if (owned?.member === 'state' ? header.name !== STATE_ENTRY || header.type !== 'file' : false)
      return fail(`entry ${JSON.stringify(header.name)} is not the state file`);
    if (owned && owned.member !== 'state') {
      const met = seen.get(owned.member) ?? { names: new Set<string>(), files: new Set<string>() };
      seen.set(owned.member, met);
      const why = entryProblem(innerHeader(header, owned.member), header.name, owned.inner, met);
      if (why !== undefined) return fail(why);
    }
    let digest: MemberDigest | undefined;
    if (owned) {
      digest = digests.get(owned.member) ?? new MemberDigest();
      digests.set(owned.member, digest);
      digest.header(innerHeader(header, owned.member), owned.inner);
    }
    let kept = 0;
    entry.on('data', (data: unknown) => {
      const chunk = data as Buffer;
      digest?.data(chunk);
      if (keep === undefined) return;
      kept += chunk.length;
      if (kept > SMALL_MEMBER_LIMIT) {
        problem ??= `entry ${JSON.stringify(header.name)} is larger than ${SMALL_MEMBER_LIMIT / 1024 / 1024} MiB`;
        ex.destroy(new Error(problem));
        return;
      }
      keep.push(chunk);
    });
    entry.on('end', () => next());
  });
  try {
    await pipeline(stream, ex);
  } catch (error) {
    if (problem) throw refused(path, problem);
    throw refused(path, tarProblem(error, last));
  }
  const manifestText = Buffer.concat(manifestChunks);
  if (manifestText.length === 0)
    throw refused(path, last === undefined ? 'no tar entries' : 'no manifest.json (the backup did not finish?)');
  const sum = Buffer.concat(sumChunks).toString('utf8').split(/\s+/)[0];
  if (sum !== sha256Hex(manifestText))
    throw refused(path, 'manifest.json does not match its sha256 checksum (manifest.sha256)');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(manifestText.toString('utf8')) as BackupManifest;
  } catch {
    throw refused(path, 'manifest.json is not JSON');
  }
  const shape = manifestProblem(manifest);
  if (shape) throw refused(path, shape);
  const read = new Map<string, BackupMember>([...digests].map(([name, d]) => [name, d.done(name)]));
  const mismatch = memberProblem(manifest.members, read);
  if (mismatch) throw refused(path, mismatch);
  let state: InstallState;
  try {
    state = JSON.parse(Buffer.concat(stateChunks).toString('utf8')) as InstallState;
    if (typeof state.secrets?.minioSecretKey !== 'string') throw new Error('no credentials');
  } catch {
    throw refused(path, 'member state holds no heal-pyroscope state file');
  }
  return { path, bytes, manifest, state };
}

/** The volume being filled: its member, the tar handed to the filler, the checksum of what went in. */
interface VolumeTar {
  member: string;
  pack: Pack;
  digest: MemberDigest;
  filled: Promise<void>;
}

/** Fills one volume from a tar stream of its entries (names as the engine's archive gave them). */
export type VolumeFiller = (component: ComponentName, tar: NodeJS.ReadableStream) => Promise<void>;

/**
 * Reads the archive again and hands each volume member to `fill` as a tar of its own, one volume
 * at a time; a member whose checksum no longer matches the verified manifest fails the restore.
 */
export async function streamVolumes(backup: VerifiedBackup, fill: VolumeFiller, signal?: AbortSignal): Promise<void> {
  const { extract, pack } = await import('tar-stream');
  const { stream } = await openArchive(backup.path);
  const ex = extract();
  let current: VolumeTar | undefined;
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    current?.pack.destroy(error as Error);
    ex.destroy(error as Error);
  };
  const close = async (): Promise<void> => {
    if (!current) return;
    const done = current;
    current = undefined;
    done.pack.finalize();
    await done.filled;
    const listed = backup.manifest.members.find((m) => m.name === done.member);
    const problem = memberProblem(listed ? [listed] : [], new Map([[done.member, done.digest.done(done.member)]]));
    if (problem) throw refused(backup.path, `${problem} (read again while restoring)`, ExitCode.failed);
  };
  // Closes the volume being filled and starts the next.
  const start = async (member: string): Promise<VolumeTar> => {
    await close();
    const component = member.slice('volumes/'.length) as ComponentName;
    const tar = pack();
    // Its failure is told by `fill` or by the entry being copied into it, not as an event.
    tar.on('error', () => undefined);
    const filled = fill(component, tar as unknown as NodeJS.ReadableStream);
    filled.catch(fail);
    current = { member, pack: tar, digest: new MemberDigest(), filled };
    return current;
  };
  ex.on('entry', (header, entry, next) => {
    entry.on('error', () => undefined);
    const owned = memberOf(header.name);
    const skip = () => {
      entry.on('end', () => next());
      entry.resume();
    };
    if (!owned || owned.member === 'state') return skip();
    void (async () => {
      const into = current?.member === owned.member ? current : await start(owned.member);
      const inner = movedHeader(header, owned.inner, innerHeader(header, owned.member).linkname ?? null);
      into.digest.header(inner, owned.inner);
      await pipeline(
        entry as unknown as Readable,
        tap((c) => into.digest.data(c)),
        into.pack.entry(inner),
      );
    })().then(() => next(), fail);
  });
  const abort = () => fail(new Error('interrupted'));
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await pipeline(stream, ex);
    await close();
  } catch (error) {
    throw failure ?? error;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}
