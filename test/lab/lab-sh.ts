// Runs test/lab/lab.sh from Node. Kept free of vitest imports so the global setup (main process)
// and the test helpers (workers) can both use it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));
export const LAB_SH = path.join(LAB_DIR, 'lab.sh');
export const LAB_JSON = path.join(LAB_DIR, '.run', 'lab.json');

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs argv, collecting output; never rejects on a non-zero exit (callers assert on it). */
export function run(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command!, args, {
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 128), stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

export function runLabSh(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(['bash', LAB_SH, ...args], { env, timeoutMs: 300_000 });
}

/** Synchronous form, for requireLab() called while a suite is being collected. */
export function runLabShSync(args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  const result = spawnSync('bash', [LAB_SH, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 300_000,
  });
  return {
    exitCode: result.status ?? 128,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? String(result.error ?? ''),
  };
}

/** Why the lab cannot run on this machine, or undefined when it can. */
export function platformProblem(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  const uid = process.getuid?.();
  if (uid !== 0) return `the lab needs root (uid ${uid}): run the integration tests as root`;
  return undefined;
}

export function labIsUp(): boolean {
  return existsSync(LAB_JSON);
}

export function readLabJson<T>(): T {
  return JSON.parse(readFileSync(LAB_JSON, 'utf8')) as T;
}
