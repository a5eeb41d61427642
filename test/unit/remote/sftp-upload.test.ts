import type { SFTPWrapper } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import type { ExecResult } from '../../../src/remote/index.js';
import { uploadFile } from '../../../src/remote/sftp-upload.js';

type Callback = (error?: Error | null) => void;

/** An SFTP channel whose writes fail with `status` (an SFTP status code) and `message`. */
function failingSftp(status: number, message: string): SFTPWrapper {
  const fail = (...args: unknown[]) => (args.at(-1) as Callback)(Object.assign(new Error(message), { code: status }));
  const ok = (...args: unknown[]) => (args.at(-1) as Callback)();
  return { writeFile: fail, chmod: ok, unlink: ok, ext_openssh_rename: ok, rename: ok } as unknown as SFTPWrapper;
}

const df =
  (availableKiB: number) =>
  async (argv: readonly string[]): Promise<ExecResult> => ({
    code: argv[0] === 'df' ? 0 : 1,
    stdout: `Filesystem     1024-blocks  Used Available Capacity Mounted on\ntmpfs                   64    64 ${availableKiB} 100% /opt\n`,
    stderr: '',
  });

const spec = { remotePath: '/opt/heal-pyroscope/app/tempo.yaml', content: 'a: 1\n', mode: 0o640 };

async function failure(sftp: SFTPWrapper, run: (argv: readonly string[]) => Promise<ExecResult>): Promise<HealError> {
  const error = await uploadFile(sftp, run, spec, 'app-01').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HealError);
  return error as HealError;
}

describe('SFTP upload failures', () => {
  it('says the filesystem is full, naming host, path and mount, when a bare Failure meets a full disk', async () => {
    const e = await failure(failingSftp(4, 'Failure'), df(0));
    expect(e.message).toBe(
      'Cannot write /opt/heal-pyroscope/app/tempo.yaml on app-01: the filesystem /opt is full (0 KiB free)',
    );
    expect(e.hint).toBe('Free space on /opt on app-01 (df -h /opt), then run the command again');
  });

  it('keeps the SFTP message when the filesystem has room', async () => {
    const e = await failure(failingSftp(4, 'Failure'), df(500_000));
    expect(e.message).toBe('Cannot write /opt/heal-pyroscope/app/tempo.yaml on app-01: Failure');
    expect(e.hint).toContain('df -h /opt/heal-pyroscope/app');
  });

  it('keeps the SFTP message when df cannot tell', async () => {
    const e = await failure(failingSftp(4, 'Failure'), async () => ({
      code: 127,
      stdout: '',
      stderr: 'df: not found',
    }));
    expect(e.message).toBe('Cannot write /opt/heal-pyroscope/app/tempo.yaml on app-01: Failure');
  });

  it('names a missing directory and a permission problem without asking df', async () => {
    const never = async (): Promise<ExecResult> => {
      throw new Error('df must not run');
    };
    expect((await failure(failingSftp(2, 'No such file'), never)).hint).toBe(
      'Create the directory /opt/heal-pyroscope/app first',
    );
    expect((await failure(failingSftp(3, 'Permission denied'), never)).hint).toContain(
      'Connect as a user that may write there',
    );
  });
});
