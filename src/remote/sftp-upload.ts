// Writes a file on the host over SFTP: to a temporary name beside the target, chmod, optional chown,
// then an atomic rename, so a reader (or a restarting container) never sees half a file.

import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { HealError } from '../errors.js';
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

export async function uploadFile(sftp: SFTPWrapper, run: Runner, spec: UploadSpec, where: string): Promise<void> {
  if (!posix.isAbsolute(spec.remotePath)) throw new Error(`remote path must be absolute: ${spec.remotePath}`);
  const dir = posix.dirname(spec.remotePath);
  const temp = posix.join(dir, `.${posix.basename(spec.remotePath)}.heal-${randomBytes(4).toString('hex')}`);
  try {
    await call((cb) => sftp.writeFile(temp, spec.content, { mode: spec.mode }, cb));
    await call((cb) => sftp.chmod(temp, spec.mode, cb));
    if (spec.owner !== undefined) {
      const result = await run(['chown', '--', spec.owner, temp]);
      if (result.code !== 0) throw new Error(`chown ${spec.owner} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    }
    await rename(sftp, temp, spec.remotePath);
  } catch (error) {
    await call((cb) => sftp.unlink(temp, cb)).catch(() => undefined);
    throw uploadFailure(error, spec, where);
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

function uploadFailure(error: unknown, spec: UploadSpec, where: string): HealError {
  const code = (error as { code?: number }).code;
  const message = (error as Error).message ?? String(error);
  // SFTP status codes: 2 no such file, 3 permission denied.
  const hint =
    code === 2
      ? `Create the directory ${posix.dirname(spec.remotePath)} first`
      : code === 3 || /permission|not permitted/i.test(message)
        ? 'Connect as a user that may write there (root), or fix the directory owner'
        : 'Check free space and the directory on the host';
  return new HealError({
    code: 'remote.upload',
    message: `Cannot write ${spec.remotePath} on ${where}: ${message}`,
    hint,
    cause: error,
  });
}
