// Programs run on the operator's own machine (`haproxy -c`, later `ssh -G`): the one place that
// spawns a local process, so time limits and "that program is not installed" read the same everywhere.

import { basename } from 'node:path';
import { execa } from 'execa';
import { HealError } from '../core/errors.js';
import type { ExecResult } from '../core/exec-result.js';

export interface LocalRunOptions {
  /** The program is killed and the run refused (`local.timeout`) after this long. */
  timeoutMs: number;
  /** What the run is for, finishing "cannot …" when the program is missing: `check the front-door snippet`. */
  purpose: string;
  /** The HealError code for a missing program, in the caller's vocabulary: `install.haproxy-missing`. */
  missingCode: string;
}

// The Debian/Ubuntu package that provides each program we run, for the "install it" hint.
const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  haproxy: 'haproxy',
  ssh: 'openssh-client',
};

/**
 * Runs argv[0] (looked up in PATH unless it is a path) with the rest as its arguments, no shell and no
 * stdin. A non-zero exit or a signal is data for the caller, as with a remote command; a missing
 * program, one that cannot be started, or one that outlives `timeoutMs` is a HealError.
 */
export async function runLocal(argv: readonly [string, ...string[]], options: LocalRunOptions): Promise<ExecResult> {
  const [program, ...args] = argv;
  const result = await execa(program, args, {
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    timeout: options.timeoutMs,
  });
  if (result.code === 'ENOENT') throw missingProgram(program, options);
  if (result.timedOut) {
    throw new HealError({
      code: 'local.timeout',
      message: `cannot ${options.purpose}: ${program} did not finish within ${options.timeoutMs / 1000} s`,
      hint: `run \`${argv.join(' ')}\` by hand to see what it waits for`,
    });
  }
  if (result.exitCode === undefined && result.signal === undefined) {
    // Spawning failed for another reason (EACCES: not executable, ...): there is no exit to report.
    throw new HealError({
      code: 'local.spawn',
      message: `cannot ${options.purpose}: cannot run ${program} (${result.code ?? result.originalMessage})`,
      hint: `check that ${program} is an executable this user may run`,
      cause: result.cause,
    });
  }
  return {
    code: result.exitCode ?? null,
    ...(result.signal ? { signal: result.signal } : {}),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

function missingProgram(program: string, options: LocalRunOptions): HealError {
  const name = basename(program);
  const debianPackage = DEBIAN_PACKAGES[name];
  const where = name === program ? 'in PATH' : `at ${program}`;
  return new HealError({
    code: options.missingCode,
    message: `cannot ${options.purpose}: ${name} is not installed on this machine (not found ${where})`,
    hint: debianPackage
      ? `install ${name} here (Debian/Ubuntu: apt-get install ${debianPackage}), then run again`
      : `install ${name} here, or put it in PATH, then run again`,
  });
}
