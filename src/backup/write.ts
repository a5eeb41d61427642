// Writes a backup archive as it streams in: a temp file beside the target, created with mode 0600
// (it holds credentials), each volume's tar entries re-prefixed into it with their checksum
// computed on the way, the manifest last; then the temp file takes the target's name (never over
// an existing file unless forced). Memory stays flat: entries flow through with backpressure.
import { createWriteStream } from 'node:fs';
import { chmod, link, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar-stream';
import { ExitCode, HealError } from '../core/errors.js';
import type { ComponentName } from '../stack/manifest.js';
import {
  MANIFEST_ENTRY,
  MANIFEST_SUM_ENTRY,
  MemberDigest,
  movedHeader,
  STATE_ENTRY,
  sha256Hex,
  volumeMember,
  type BackupManifest,
  type BackupMember,
  type EntryHeader,
} from './format.js';

export const BACKUP_FILE_MODE = 0o600;
// Fixed metadata for the entries we make ourselves (the volumes' entries keep theirs).
const OWN = { mode: 0o600, uid: 0, gid: 0 } as const;

/** A pass-through that feeds every chunk to `onChunk` (a checksum) without holding it. */
export function tap(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
}

function cannotWrite(path: string, error: unknown): HealError {
  const e = error as NodeJS.ErrnoException;
  return new HealError({
    code: 'backup.write',
    message: `cannot write the backup ${path}: ${e.code ?? e.message}`,
    hint: 'choose a path in a directory you can write to, with room for the volumes',
    cause: error,
  });
}

/** Refuses an existing target unless forced: found before any host is contacted. */
export async function checkBackupTarget(path: string, force: boolean): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (!existing) return;
  if (existing.isDirectory())
    throw new HealError({
      code: 'backup.target',
      message: `${path} is a directory`,
      hint: 'give the path of the archive file to write',
      exitCode: ExitCode.usage,
    });
  if (!force)
    throw new HealError({
      code: 'backup.exists',
      message: `${path} exists; nothing was contacted`,
      hint: 'choose another name, or add --force to replace it',
      exitCode: ExitCode.usage,
    });
}

export class BackupWriter {
  private readonly members: BackupMember[] = [];

  private constructor(
    readonly path: string,
    private readonly temp: string,
    private readonly pack: Pack,
    private readonly written: Promise<void>,
    private readonly counter: { bytes: number },
  ) {}

  /** Creates the temp file (0600 from its first byte) beside `path`. */
  static async open(path: string): Promise<BackupWriter> {
    const { pack } = await import('tar-stream');
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    const tar = pack();
    const file = createWriteStream(temp, { flags: 'wx', mode: BACKUP_FILE_MODE });
    const opened = new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', reject);
    });
    const counter = { bytes: 0 };
    const written = pipeline(
      tar,
      tap((chunk) => (counter.bytes += chunk.length)),
      file,
    );
    written.catch(() => undefined);
    try {
      await opened;
      // The umask cannot widen it, but make sure nothing else did.
      await chmod(temp, BACKUP_FILE_MODE);
    } catch (error) {
      tar.destroy();
      throw cannotWrite(path, error);
    }
    return new BackupWriter(path, temp, tar, written, counter);
  }

  /** Bytes of archive written so far. */
  get bytes(): number {
    return this.counter.bytes;
  }

  private async ownEntry(name: string, content: Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.pack.entry({ ...OWN, name, size: content.length, mtime: new Date() }, content, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  async addState(content: Buffer): Promise<BackupMember> {
    const digest = new MemberDigest();
    const header = {
      name: STATE_ENTRY,
      type: 'file' as const,
      mode: OWN.mode,
      uid: 0,
      gid: 0,
      size: content.length,
      mtime: new Date(0),
    } satisfies EntryHeader;
    digest.header(header, 'state.json');
    digest.data(content);
    await new Promise<void>((resolve, reject) => {
      this.pack.entry({ ...header }, content, (error) => (error ? reject(error) : resolve()));
    });
    const member = digest.done('state');
    this.members.push(member);
    return member;
  }

  /**
   * Copies the entries of a volume's tar (as the engine streams it) under `volumes/COMPONENT/`,
   * computing the member's checksum on the way; resolves once the last entry is in the archive.
   */
  async addVolume(
    componentName: ComponentName,
    tar: NodeJS.ReadableStream,
    signal?: AbortSignal,
  ): Promise<BackupMember> {
    const { extract } = await import('tar-stream');
    const prefix = volumeMember(componentName);
    const digest = new MemberDigest();
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      digest.header(header, header.name);
      // A hard link names another entry of the same tar: it moves with it under the prefix.
      const outer = movedHeader(
        header,
        `${prefix}/${header.name}`,
        header.type === 'link' && header.linkname ? `${prefix}/${header.linkname}` : (header.linkname ?? null),
      );
      const sink = this.pack.entry(outer);
      pipeline(
        stream as unknown as Readable,
        tap((c) => digest.data(c)),
        sink,
      ).then(() => next(), next);
    });
    const abort = () => ex.destroy(new Error('interrupted'));
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await pipeline(tar as Readable, ex);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    const member = digest.done(prefix);
    this.members.push(member);
    return member;
  }

  /** Writes the manifest (with every member written so far) and its checksum, then moves the file into place. */
  async finish(
    manifest: Omit<BackupManifest, 'members'>,
    force: boolean,
  ): Promise<{ bytes: number; manifest: BackupManifest }> {
    const full: BackupManifest = { ...manifest, members: [...this.members] };
    const text = Buffer.from(`${JSON.stringify(full, null, 2)}\n`);
    await this.ownEntry(MANIFEST_ENTRY, text);
    await this.ownEntry(MANIFEST_SUM_ENTRY, Buffer.from(`${sha256Hex(text)}  ${MANIFEST_ENTRY}\n`));
    this.pack.finalize();
    try {
      await this.written;
    } catch (error) {
      throw cannotWrite(this.path, error);
    }
    try {
      if (force) await rename(this.temp, this.path);
      else {
        // link() refuses an existing target, so a file that appeared meanwhile is never replaced.
        await link(this.temp, this.path);
        await rm(this.temp, { force: true });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new HealError({
          code: 'backup.exists',
          message: `${this.path} appeared while the backup was written; it was left alone`,
          hint: 'choose another name, or add --force to replace it',
        });
      }
      throw cannotWrite(this.path, error);
    }
    return { bytes: this.counter.bytes, manifest: full };
  }

  /** Drops the temp file (a failed or interrupted backup leaves nothing). */
  async abort(): Promise<void> {
    this.pack.destroy();
    await this.written.catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}
