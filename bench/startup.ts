// Start-up cost of the CLI: wall time of `heal-pyroscope --help` and of a config error (no host
// contacted), median of several runs of the built CLI.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/heal-pyroscope', import.meta.url));

async function medianMs(args: string[], runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await execa('node', [bin, ...args], { reject: false, env: { CI: 'true' } });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchStartup(runs = 9): Promise<Record<string, string>[]> {
  const baseline = await medianMs(['--version'], runs);
  return [
    { bench: 'startup', case: 'heal-pyroscope --version', median_ms: baseline.toFixed(0) },
    { bench: 'startup', case: 'heal-pyroscope --help', median_ms: (await medianMs(['--help'], runs)).toFixed(0) },
    { bench: 'startup', case: 'heal-pyroscope preflight --yes (config error)', median_ms: (await medianMs(['preflight', '--yes'], runs)).toFixed(0) },
  ];
}
