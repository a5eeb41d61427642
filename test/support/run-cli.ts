// Runs the CLI in-process with captured streams, for tests of its observable behaviour.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(isTTY: boolean): Writable & { text: string; isTTY: boolean } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY: boolean };
  stream.text = '';
  stream.isTTY = isTTY;
  return stream;
}

export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<RunResult> {
  const stdout = sink(options.tty ?? false);
  const stderr = sink(options.tty ?? false);
  const code = await main(['node', 'heal-pyroscope', ...args], {
    stdout,
    stderr,
    stdin: { isTTY: options.tty ?? false },
    env: options.env ?? { CI: 'true' },
    cwd: options.cwd ?? '/nonexistent-cwd',
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
