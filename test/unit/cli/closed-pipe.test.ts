import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/heal-pyroscope', import.meta.url));

/** Runs the built CLI with its stdout a pipe whose reader is gone before anything is written. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout pipe (built CLI in dist/)', () => {
  it('ends --help quietly: exit 0, no EPIPE on stderr', async () => {
    for (const args of [['--help'], ['init', '--help'], ['version', '--json'], ['completion', 'bash']]) {
      const r = await runWithClosedStdout(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
    }
  });

  it('ends quietly in a shell pipeline whose reader leaves early', async () => {
    const pipeline = `set -o pipefail; "${process.execPath}" "${bin}" --help | true; echo "--help: $?"; "${process.execPath}" "${bin}" init --help | head -1`;
    const r = await execa('bash', ['-c', pipeline], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('--help: 0\nUsage: heal-pyroscope init [options]');
    expect(r.exitCode).toBe(0);
  });
});
