// Local programs run through one function: exits and signals come back as data, as a remote command's
// do; a missing program names what to install; a program that outlives its limit is refused.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { runLocal } from '../../../src/local/process.js';

const options = { timeoutMs: 10_000, purpose: 'check something', missingCode: 'test.program-missing' };

describe('runLocal', () => {
  it('returns exit code, stdout and stderr as written, a non-zero exit included', async () => {
    const result = await runLocal(['sh', '-c', 'printf "out\\n"; printf "err\\n" >&2; exit 3'], options);
    expect(result).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes arguments as they are, with no shell in between', async () => {
    const result = await runLocal(['printf', '%s|', 'a b', '$HOME', ';'], options);
    expect(result).toEqual({ code: 0, stdout: 'a b|$HOME|;|', stderr: '' });
  });

  it('reports a program killed by a signal with no exit code', async () => {
    const result = await runLocal(['sh', '-c', 'kill -TERM $$'], options);
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('names the Debian package of a known program that is missing, under the caller’s code', async () => {
    const error = await runLocal(['/nonexistent/haproxy', '-v'], options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealError);
    expect(error).toMatchObject({
      code: 'test.program-missing',
      message: 'cannot check something: haproxy is not installed on this machine (not found at /nonexistent/haproxy)',
      hint: expect.stringContaining('apt-get install haproxy'),
    });
  });

  it('names the package of ssh as openssh-client', async () => {
    await expect(runLocal(['/nonexistent/ssh', '-G', 'x'], options)).rejects.toMatchObject({
      hint: expect.stringContaining('apt-get install openssh-client'),
    });
  });

  it('asks to install or put in PATH a program it knows no package for', async () => {
    await expect(runLocal(['heal-pyroscope-no-such-program'], options)).rejects.toMatchObject({
      code: 'test.program-missing',
      message: expect.stringContaining('not found in PATH'),
      hint: 'install heal-pyroscope-no-such-program here, or put it in PATH, then run again',
    });
  });

  it('refuses a file that cannot be executed, naming why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heal-local-'));
    try {
      const file = join(dir, 'not-executable');
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, 0o644);
      await expect(runLocal([file], options)).rejects.toMatchObject({
        code: 'local.spawn',
        message: expect.stringContaining('EACCES'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kills a program that outlives its limit and says which limit', async () => {
    await expect(runLocal(['sleep', '30'], { ...options, timeoutMs: 50 })).rejects.toMatchObject({
      code: 'local.timeout',
      message: 'cannot check something: sleep did not finish within 0.05 s',
    });
  });
});
