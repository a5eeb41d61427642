// The CLI as a real child process, started from the sources through tsx, so a test can send it
// SIGINT and see its own handler run; stdout and stderr are collected as they come.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
// By its own address: `--import tsx` would be looked up from the child's cwd (a temp dir).
const TSX = import.meta.resolve('tsx');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code, or 'timeout' when it has not exited within `ms`. */
  exited(ms: number): Promise<number | null | 'timeout'>;
  /** Kills it with SIGKILL if it still runs (for `finally`). */
  kill(): void;
}

export function spawnCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  child.stderr!.on('data', (d: Buffer) => (err += String(d)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: (ms) => Promise.race([exit, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
