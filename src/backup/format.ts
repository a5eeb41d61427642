// The backup archive's layout and its checksums, as data (pure): one plain tar holding the local
// state, the entries of each backed-up volume under `volumes/COMPONENT/` as the engine's archive
// endpoint gave them, then `manifest.json` (what, when, from where, and each member's size and
// sha256) and `manifest.sha256` last, since a member's checksum is known only once it is written.
import { posix } from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import type { Header } from 'tar-stream';
import { group } from '../core/defined.js';
import type { ComponentName } from '../stack/manifest.js';

export const BACKUP_FORMAT = 'heal-pyroscope-backup/1';
export const STATE_ENTRY = 'state/state.json';
export const MANIFEST_ENTRY = 'manifest.json';
export const MANIFEST_SUM_ENTRY = 'manifest.sha256';
/** The components whose volumes hold what cannot be rebuilt: objects (profiles, traces) and Grafana's database. */
export const BACKED_UP: readonly ComponentName[] = ['minio', 'grafana'];

export interface BackupMember {
  /** `state` or `volumes/COMPONENT`: the prefix of its entries in the archive. */
  name: string;
  /** Bytes of file data. */
  bytes: number;
  /** Tar entries (files, directories, links). */
  entries: number;
  /** sha256 over each entry's header fields and data, in archive order (`MemberDigest`). */
  sha256: string;
}

export interface BackedUpVolume {
  component: ComponentName;
  machine: string;
  volume: string;
  /** Where the container mounts it; the archive holds it as the engine gave it (its last path segment first). */
  path: string;
  image: string;
  /** How long the container was paused while the volume was read (0: it was not running). */
  pausedMs: number;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  toolVersion: string;
  createdAt: string;
  environment: string;
  /** The machines of each tier when it was taken (restore needs the same shape, not the same hosts). */
  topology: { web: string; app: string; db: string; targets: string[] };
  /** The image each component ran. */
  images: Partial<Record<ComponentName, string>>;
  volumes: BackedUpVolume[];
  members: BackupMember[];
}

export function volumeMember(component: ComponentName): string {
  return `volumes/${component}`;
}

/** The member an archive entry belongs to, and its name inside it; undefined for an entry of no member. */
export function memberOf(entryName: string): { member: string; inner: string } | undefined {
  if (entryName === STATE_ENTRY) return { member: 'state', inner: 'state.json' };
  const m = /^volumes\/([a-z]+)\/(.+)$/.exec(entryName);
  if (!m) return undefined;
  const component = group(m, 1);
  if (!(BACKED_UP as readonly string[]).includes(component)) return undefined;
  return { member: `volumes/${component}`, inner: group(m, 2) };
}

/** The most a restore reads into memory of the manifest, its checksum or the state member. */
export const SMALL_MEMBER_LIMIT = 1024 * 1024;

/**
 * Why an entry of a volume member is not plain data (undefined when it is): a backup is data, not
 * a way into a host. Accepted: regular files, directories, symlinks whose target stays inside the
 * volume, and hard links to a regular file met earlier in the same member (what a tar of a volume
 * holds; such a link can only name a file the archive itself wrote). Refused: any other type
 * (devices, FIFOs), setuid and setgid bits, names that leave the member (`..`, absolute), and a
 * name met twice. `files` holds the regular files met so far in the member, `names` every name.
 */
export function entryProblem(
  header: Pick<EntryHeader, 'type' | 'mode' | 'linkname'>,
  entryName: string,
  inner: string,
  seen: { names: Set<string>; files: Set<string> },
): string | undefined {
  const path = inner.endsWith('/') ? inner.slice(0, -1) : inner;
  const where = `entry ${JSON.stringify(entryName)}`;
  if (path === '' || path.startsWith('/') || posix.normalize(path) !== path || path.split('/').includes('..'))
    return `${where} names a path outside its volume`;
  if (seen.names.has(path)) return `${where} appears twice`;
  seen.names.add(path);
  if (((header.mode ?? 0) & 0o6000) !== 0) return `${where} carries a setuid or setgid bit`;
  const type = header.type ?? 'file';
  switch (type) {
    case 'file':
    case 'contiguous-file':
      seen.files.add(path);
      return undefined;
    case 'directory':
      return undefined;
    case 'symlink': {
      const target = header.linkname ?? '';
      const top = path.split('/')[0] ?? '';
      const resolved = posix.normalize(posix.join(posix.dirname(path), target));
      return target !== '' && !target.startsWith('/') && (resolved === top || resolved.startsWith(`${top}/`))
        ? undefined
        : `${where} is a symlink to ${JSON.stringify(target)}, outside its volume`;
    }
    case 'link':
      return seen.files.has(header.linkname ?? '')
        ? undefined
        : `${where} is a hard link to ${JSON.stringify(header.linkname ?? '')}, not a file of its own volume`;
    default:
      return `${where} is a ${type}, not a file, directory or symlink`;
  }
}

/** The header fields that decide what a restore writes. */
export interface EntryHeader {
  name: string;
  type:
    | 'file'
    | 'link'
    | 'symlink'
    | 'directory'
    | 'block-device'
    | 'character-device'
    | 'fifo'
    | 'contiguous-file'
    | 'pax-header'
    | 'pax-global-header'
    | 'gnu-long-link-path'
    | 'gnu-long-path'
    | null;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname?: string | null;
  mtime?: Date;
}

/**
 * An entry's header as it moves between a volume's tar and the archive (either way): a new name and
 * link target, every other field kept, the defaults tar-stream leaves out filled in, and a size only
 * where the entry has data. The writer and the restore build it the same way.
 */
export function movedHeader(header: Header, name: string, linkname: Header['linkname']) {
  return {
    name,
    type: header.type ?? 'file',
    mode: header.mode ?? 0o644,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    size: header.type === 'file' || header.type === 'contiguous-file' ? (header.size ?? 0) : 0,
    mtime: header.mtime ?? new Date(0),
    linkname,
    ...(header.uname ? { uname: header.uname } : {}),
    ...(header.gname ? { gname: header.gname } : {}),
  };
}

/**
 * The checksum of one member, fed entry by entry: its header fields (inner name, type, mode, owner,
 * size, link target, mtime in seconds), then its data. The writer and the reader compute it the same
 * way, so a changed byte anywhere that a restore would write changes it.
 */
export class MemberDigest {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  entries = 0;

  header(h: EntryHeader, inner: string): void {
    const mtime = h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0;
    // The permission bits only: a tar header may carry the file type in the mode too (Go's writer
    // does), which tar-stream keeps when reading and drops when writing.
    this.hash.update(
      `${JSON.stringify([inner, h.type, h.mode & 0o7777, h.uid, h.gid, h.size, h.linkname ?? '', mtime])}\n`,
    );
    this.entries++;
  }

  data(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  done(name: string): BackupMember {
    return { name, bytes: this.bytes, entries: this.entries, sha256: this.hash.digest('hex') };
  }
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Compares the members read with those the manifest lists: the first problem, in one line naming
 * the member, or undefined when every member is there with its size and checksum.
 */
export function memberProblem(
  listed: readonly BackupMember[],
  read: ReadonlyMap<string, BackupMember>,
): string | undefined {
  for (const want of listed) {
    const got = read.get(want.name);
    if (!got) return `member ${want.name} is listed in the manifest but missing`;
    if (got.entries !== want.entries)
      return `member ${want.name} has ${got.entries} entries, the manifest says ${want.entries}`;
    if (got.bytes !== want.bytes)
      return `member ${want.name} holds ${got.bytes} bytes, the manifest says ${want.bytes}`;
    if (got.sha256 !== want.sha256)
      return `member ${want.name} does not match its sha256 checksum (changed or corrupted)`;
  }
  for (const name of read.keys())
    if (!listed.some((m) => m.name === name)) return `member ${name} is not listed in the manifest`;
  return undefined;
}

/** The manifest's own shape, checked before anything in it is trusted. */
export function manifestProblem(value: unknown): string | undefined {
  const m = value as Partial<BackupManifest> | null;
  if (!m || typeof m !== 'object') return 'manifest.json is not an object';
  if (m.format !== BACKUP_FORMAT) return `format ${JSON.stringify(m.format)}, expected ${BACKUP_FORMAT}`;
  if (!Array.isArray(m.members) || !Array.isArray(m.volumes)) return 'manifest.json lists no members or volumes';
  if (!m.members.some((x) => x.name === 'state')) return 'the manifest lists no state member (the credentials)';
  for (const v of m.volumes) {
    if (!BACKED_UP.includes(v.component))
      return `the manifest lists a volume of ${String(v.component)}, which backups never hold`;
    if (!m.members.some((x) => x.name === volumeMember(v.component)))
      return `the manifest lists the ${v.component} volume but no member ${volumeMember(v.component)}`;
  }
  return undefined;
}

/** `1.2 GiB`, `300 MiB`, `12 KiB`, `80 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
