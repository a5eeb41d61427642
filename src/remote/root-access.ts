// What needs root on a host (the lock, the directories and files under /opt/heal-pyroscope, the
// audit log, the flow rules, removing what install made) runs through RootAccess. A root SSH user
// runs it over SSH, as ever. Any other user reaches root the way its Docker socket already allows,
// never through sudo: a short-lived helper container of an image the stack pins (HAProxy's,
// Debian-based: it has `sh` and `chroot`) with the host's `/` at /host, the host's network and the
// NET_ADMIN capability; commands run as `chroot /host ARGV` (the host's own binaries, as root), and
// files are written with the archive API (owner and mode from the tar header), then renamed into
// place, so a reader never sees half a file.

import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { HealError, isHealError } from '../core/errors.js';
import type { ExecResult } from '../core/exec-result.js';
import type { ContainerCreateBody, Engine } from './engine.js';
import type { ExecOptions } from './exec.js';
import { uploadTempPath, type UploadSpec } from './sftp-upload.js';

export interface RootAccess {
  /** `ssh`: the SSH user is root; `engine`: through the helper container; `unknown`: not asked yet. */
  readonly via: 'ssh' | 'engine' | 'unknown';
  /** Runs argv as root on the host; a non-zero exit is returned, not thrown. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Writes a file as root, atomically, with its mode and owner. */
  upload(spec: UploadSpec): Promise<void>;
  /**
   * From now on the helper may pull its image when the host lacks it: called once the command holds
   * the lock (a change it records). Before that, and in a dry run, an absent image is `root.no-helper`.
   */
  allowPull(): void;
  /** The helper image this run pulled onto the host, for the record of what installs pulled. */
  readonly pulled: { ref: string; id: string } | undefined;
  /** `uninstall --purge`: remove the helper's image too, once the helper itself is gone (on close). */
  dropImageOnClose(ref: string): void;
  /** Removes the helper container, if one was started (and its image, when asked). */
  close(): Promise<void>;
}

/** The code of the error an absent helper image gives while pulls are not allowed. */
export const NO_HELPER = 'root.no-helper';

/**
 * The one label a helper container carries. Not the product's label: uninstall and status see only
 * the stack, and a helper is gone when its command ends.
 */
export const HELPER_LABEL = 'io.heal-pyroscope.helper';
/** How long a helper lives at most, even if this process dies without removing it (AutoRemove). */
export const HELPER_LIFETIME_SECONDS = 3600;
const HOST_MOUNT = '/host';
const STDIN_FILE = '/heal-pyroscope-stdin';

/** The helper container's create body: pure data, unit-tested. */
export function helperBody(name: string, image: string): ContainerCreateBody {
  return {
    name,
    Image: image,
    User: '0:0',
    Entrypoint: ['sleep'],
    Cmd: [String(HELPER_LIFETIME_SECONDS)],
    Labels: { [HELPER_LABEL]: 'root' },
    HostConfig: {
      Mounts: [{ Type: 'bind', Source: '/', Target: HOST_MOUNT }],
      NetworkMode: 'host',
      // iptables needs NET_ADMIN (and NET_RAW for some matches); chroot, chown and the rest are in
      // Docker's default set.
      CapAdd: ['NET_ADMIN', 'NET_RAW'],
      AutoRemove: true,
    },
  };
}

/** The exec argv that runs `argv` on the host as root, reading `STDIN_FILE` when there is stdin. */
export function helperArgv(argv: readonly string[], stdin: boolean): string[] {
  if (!stdin) return ['chroot', HOST_MOUNT, ...argv];
  return ['sh', '-c', `chroot ${HOST_MOUNT} "$@" <${STDIN_FILE}; s=$?; rm -f ${STDIN_FILE}; exit $s`, 'sh', ...argv];
}

/** One regular file as a tar, with the owner (numeric `uid:gid`) and mode in its header. */
export async function fileTar(name: string, content: string | Buffer, mode: number, owner?: string): Promise<Buffer> {
  const ids = owner === undefined ? { uid: 0, gid: 0 } : numericOwner(owner);
  const tar = pack();
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  await new Promise<void>((resolve, reject) =>
    tar.entry({ name, mode, uid: ids.uid, gid: ids.gid, size: body.length, type: 'file' }, body, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

function numericOwner(owner: string): { uid: number; gid: number } {
  const m = /^(\d+):(\d+)$/.exec(owner);
  if (!m) throw new Error(`owner must be numeric uid:gid for a file written through the engine: ${owner}`);
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/** Root over SSH: the SSH user is root. */
export function sshRoot(host: {
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  upload(spec: UploadSpec): Promise<void>;
}): RootAccess {
  return {
    via: 'ssh',
    exec: (argv, options) => host.exec(argv, options),
    upload: (spec) => host.upload(spec),
    allowPull: () => undefined,
    pulled: undefined,
    dropImageOnClose: () => undefined,
    close: async () => undefined,
  };
}

/** Root through the engine: one helper container per host and run, started on first use. */
export class EngineRoot implements RootAccess {
  readonly via = 'engine';
  pulled: { ref: string; id: string } | undefined;
  private helper: Promise<string> | undefined;
  private mayPull = false;
  private dropImage: string | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly image: string,
    private readonly where: string,
  ) {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    try {
      return await this.execOnce(argv, options);
    } catch (error) {
      // A helper lives an hour at most (and an engine restart ends it): a new one, once.
      if (!isHealError(error) || !/No such container|is not running/i.test(error.message)) throw error;
      this.helper = undefined;
      return this.execOnce(argv, options);
    }
  }

  private async execOnce(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const name = await this.started();
    if (options.stdin !== undefined) {
      await this.engine.putArchive(name, '/', readable(await fileTar(STDIN_FILE.slice(1), options.stdin, 0o600)));
    }
    const run = this.engine.execInContainer(name, helperArgv(argv, options.stdin !== undefined));
    const out =
      options.timeoutMs === undefined ? await run : await withTimeout(run, options.timeoutMs, argv, this.where);
    return { code: out.code < 0 ? null : out.code, stdout: out.stdout, stderr: out.stderr };
  }

  async upload(spec: UploadSpec): Promise<void> {
    const temp = uploadTempPath(spec.remotePath);
    const dir = posix.dirname(temp);
    const name = await this.started();
    try {
      await this.engine.putArchive(
        name,
        posix.join(HOST_MOUNT, dir),
        readable(await fileTar(posix.basename(temp), spec.content, spec.mode, spec.owner)),
      );
    } catch (error) {
      throw new HealError({
        code: 'remote.upload',
        message: `cannot write ${spec.remotePath} on ${this.where}: ${isHealError(error) ? error.message : String(error)}`,
        hint: `check that ${dir} exists on ${this.where} and that its file system has space`,
        cause: error,
      });
    }
    const moved = await this.exec(['mv', '-f', '--', temp, spec.remotePath], { timeoutMs: 30_000 });
    if (moved.code !== 0) {
      await this.exec(['rm', '-f', '--', temp], { timeoutMs: 30_000 }).catch(() => undefined);
      throw new HealError({
        code: 'remote.upload',
        message: `cannot write ${spec.remotePath} on ${this.where}: ${moved.stderr.trim() || `exit ${moved.code}`}`,
        hint: `check ${dir} on ${this.where}`,
      });
    }
  }

  allowPull(): void {
    this.mayPull = true;
  }

  dropImageOnClose(ref: string): void {
    this.dropImage = ref;
  }

  async close(): Promise<void> {
    const helper = this.helper;
    this.helper = undefined;
    const name = helper ? await helper.catch(() => undefined) : undefined;
    if (name) await this.engine.removeContainer(name).catch(() => undefined);
    // Not forced: an image another container uses stays.
    if (this.dropImage) await this.engine.removeImage(this.dropImage).catch(() => undefined);
  }

  private started(): Promise<string> {
    this.helper ??= this.start();
    return this.helper;
  }

  private async start(): Promise<string> {
    const name = `heal-pyroscope-root-${randomBytes(4).toString('hex')}`;
    const present = await this.engine.inspectImage(this.image);
    if (!present && !this.mayPull) {
      this.helper = undefined;
      throw new HealError({
        code: NO_HELPER,
        message:
          `the SSH user on ${this.where} is not root, and the image of the helper that acts as root ` +
          `through Docker (${this.image}) is not there yet`,
        hint: 'install, upgrade, restore and uninstall pull it once they hold the lock; a dry run does not',
      });
    }
    try {
      if (!present) {
        await this.engine.pullImage(this.image);
        const image = await this.engine.inspectImage(this.image);
        this.pulled = { ref: this.image, id: image?.id ?? '' };
      }
      await this.engine.createContainer(helperBody(name, this.image));
      await this.engine.startContainer(name);
      return name;
    } catch (error) {
      await this.engine.removeContainer(name).catch(() => undefined);
      this.helper = undefined;
      throw new HealError({
        code: 'root.helper',
        message:
          `the SSH user on ${this.where} is not root, and the helper container that acts as root through ` +
          `Docker could not start: ${isHealError(error) ? error.message : String(error)}`,
        hint:
          `the helper runs ${this.image} (pulled if absent) with the host's / mounted; allow that on ` +
          `${this.where}, or connect as root`,
        cause: error,
      });
    }
  }
}

function readable(buffer: Buffer): NodeJS.ReadableStream {
  return Readable.from([buffer]);
}

async function withTimeout<T>(work: Promise<T>, ms: number, argv: readonly string[], where: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HealError({
            code: 'remote.timeout',
            message: `${argv[0] ?? 'a command'} as root on ${where} did not finish within ${Math.round(ms / 1000)}s`,
            hint: `check ${where}: its load, its disk, its Docker engine`,
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a non-root SSH user's helper runs. */
export interface RootHelper {
  image: string;
}

/**
 * Root on a host, chosen on first use: over SSH when `id -u` says 0, else through the engine's
 * helper (when the command gave one), else over SSH anyway (the commands then fail naming root).
 */
export class HostRoot implements RootAccess {
  private chosen: Promise<RootAccess> | undefined;
  private resolved: RootAccess | undefined;
  private pullAllowed = false;

  constructor(
    private readonly ssh: RootAccess,
    private readonly idU: () => Promise<ExecResult>,
    private readonly engineRoot: (() => RootAccess) | undefined,
  ) {}

  get via(): RootAccess['via'] {
    return this.resolved?.via ?? 'unknown';
  }

  async exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return (await this.choose()).exec(argv, options);
  }

  async upload(spec: UploadSpec): Promise<void> {
    return (await this.choose()).upload(spec);
  }

  allowPull(): void {
    this.pullAllowed = true;
    this.resolved?.allowPull();
  }

  get pulled(): RootAccess['pulled'] {
    return this.resolved?.pulled;
  }

  dropImageOnClose(ref: string): void {
    this.resolved?.dropImageOnClose(ref);
  }

  async close(): Promise<void> {
    await this.resolved?.close();
  }

  private choose(): Promise<RootAccess> {
    this.chosen ??= this.idU().then((r) => {
      const root = r.code === 0 && r.stdout.trim() === '0';
      this.resolved = root || !this.engineRoot ? this.ssh : this.engineRoot();
      if (this.pullAllowed) this.resolved.allowPull();
      return this.resolved;
    });
    return this.chosen;
  }
}
