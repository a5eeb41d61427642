// Runs the built CLI on a real pseudo-terminal (util-linux `script`), expect-style: wait for a
// prompt to appear, then type. For tests of what an operator sees at a terminal.
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/heal-pyroscope', import.meta.url));

export interface TtySession {
  /** Everything the terminal showed so far, escape sequences removed. */
  screen(): string;
  /** Resolves when `text` has appeared after the last `expect` (or rejects after `ms`). */
  expect(text: string | RegExp, ms?: number): Promise<void>;
  type(keys: string): void;
  done: ResultPromise;
}

// eslint-disable-next-line no-control-regex -- terminal escape sequences start with ESC
const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

export function runOnTty(args: string[], cwd: string): TtySession {
  const command = [bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = execa('script', ['-qfec', `node ${command}`, '/dev/null'], {
    cwd,
    reject: false,
    env: { CI: '', TERM: 'xterm', NO_COLOR: '1' },
    stdin: 'pipe',
  });
  let output = '';
  let seen = 0;
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    screen: () => plain(output),
    type: (keys) => child.stdin?.write(keys),
    done: child,
    async expect(text, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const rest = plain(output).slice(seen);
        const at = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        if (at >= 0) {
          seen += at + 1;
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${String(text)}; screen:\n${plain(output).slice(-800)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
