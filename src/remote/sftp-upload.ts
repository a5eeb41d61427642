// Writes a file on the host over SFTP: to a temporary name beside the target, chmod, optional chown,
// then an atomic rename, so a reader (or a restarting container) never sees half a file.

import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { HealError } from '../core/errors.js';
import type { ExecResult } from './exec.js';

export interface UploadSpec {
  /** Absolute path on the host; its directory must exist. */
  remotePath: string;
  content: string | Buffer;
  /** Permission bits, e.g. 0o640; applied explicitly so the remote umask does not change them. */
  mode: number;
  /** `uid:gid` or `user:group` for chown, e.g. `10001:10001` for Pyroscope's data. */
  owner?: string;
}

type Runner = (argv: readonly string[]) => Promise<ExecResult>;

function call(action: (cb: (error?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => action((error) => (error ? reject(error) : resolve())));
}

/** The temporary name an upload writes first, beside `remotePath` (which must be absolute), before the rename. */
export function uploadTempPath(remotePath: string): string {
  if (!posix.isAbsolute(remotePath)) throw new Error(`remote path must be absolute: ${remotePath}`);
  return posix.join(posix.dirname(remotePath), `.${posix.basename(remotePath)}.heal-${randomBytes(4).toString('hex')}`);
}

export async function uploadFile(sftp: SFTPWrapper, run: Runner, spec: UploadSpec, where: string): Promise<void> {
  const temp = uploadTempPath(spec.remotePath);
  try {
    await call((cb) => sftp.writeFile(temp, spec.content, { mode: spec.mode }, cb));
    await call((cb) => sftp.chmod(temp, spec.mode, cb));
    if (spec.owner !== undefined) {
      const result = await run(['chown', '--', spec.owner, temp]);
      if (result.code !== 0)
        throw new Error(`chown ${spec.owner} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    }
    await rename(sftp, temp, spec.remotePath);
  } catch (error) {
    await call((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
    throw await uploadFailure(error, spec, where, run);
  }
}

async function rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  try {
    // posix-rename replaces an existing file atomically; plain SFTP rename refuses to overwrite.
    await call((cb) => sftp.ext_openssh_rename(from, to, cb));
  } catch (error) {
    if (!/does not support/i.test((error as Error).message)) throw error;
    await call((cb) => sftp.unlink(to, cb)).catch(() => undefined);
    await call((cb) => sftp.rename(from, to, cb));
  }
}

// SFTP status codes: 2 no such file, 3 permission denied, 4 failure (what sftp-server answers for
// ENOSPC and any other error without a code of its own).
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

async function uploadFailure(error: unknown, spec: UploadSpec, where: string, run: Runner): Promise<HealError> {
  const code = (error as { code?: number }).code;
  const message = (error as Error).message ?? String(error);
  const dir = posix.dirname(spec.remotePath);
  if (code === NO_SUCH_FILE)
    return failure(
      `Cannot write ${spec.remotePath} on ${where}: ${message}`,
      `Create the directory ${dir} first`,
      error,
    );
  if (code === PERMISSION_DENIED || /permission|not permitted/i.test(message)) {
    return failure(
      `Cannot write ${spec.remotePath} on ${where}: ${message}`,
      'Connect as a user that may write there (root), or fix the directory owner',
      error,
    );
  }
  // A bare "Failure" hides the cause; a full filesystem is the usual one, and df tells.
  const fs = await freeSpace(run, dir);
  if (fs && fs.availableKiB * 1024 < Buffer.byteLength(spec.content) + 4096) {
    return failure(
      `Cannot write ${spec.remotePath} on ${where}: the filesystem ${fs.mount} is full (${fs.availableKiB} KiB free)`,
      `Free space on ${fs.mount} on ${where} (df -h ${fs.mount}), then run the command again`,
      error,
    );
  }
  return failure(
    `Cannot write ${spec.remotePath} on ${where}: ${message}`,
    `Check free space (df -h ${dir}) and the directory on the host`,
    error,
  );
}

function failure(message: string, hint: string, cause: unknown): HealError {
  return new HealError({ code: 'remote.upload', message, hint, cause });
}

/** The filesystem holding `dir` by `df -Pk`, or undefined when that cannot be told. */
async function freeSpace(run: Runner, dir: string): Promise<{ mount: string; availableKiB: number } | undefined> {
  const result = await run(['df', '-Pk', dir]).catch(() => undefined);
  if (result?.code !== 0) return undefined;
  const fields = result.stdout.trim().split('\n').slice(1).pop()?.trim().split(/\s+/) ?? [];
  // Filesystem, 1024-blocks, Used, Available, Capacity, then the mount point (which may hold spaces).
  const [, , , available, , ...mount] = fields;
  if (available === undefined || mount.length === 0 || !/^\d+$/.test(available)) return undefined;
  return { mount: mount.join(' '), availableKiB: Number(available) };
}
