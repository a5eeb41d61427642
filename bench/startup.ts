// Start-up cost of the CLI against a bare `node -e 0`: wall time of `heal-pyroscope --help`,
// `--version` and a config error (no host contacted), median of several runs of the built CLI.
import { execa } from 'execa';
import { BIN, median } from './cli-run.js';

async function medianMs(argv: string[], runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await execa('node', argv, { reject: false, env: { CI: 'true' } });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

export async function benchStartup(runs = 15): Promise<Record<string, string>[]> {
  const bare = await medianMs(['-e', '0'], runs);
  const row = async (name: string, args: string[]) => {
    const ms = await medianMs([BIN, ...args], runs);
    return { bench: 'startup', case: name, median_ms: ms.toFixed(0), vs_node: `${(ms / bare).toFixed(2)}x` };
  };
  return [
    { bench: 'startup', case: 'node -e 0 (bare Node.js)', median_ms: bare.toFixed(0), vs_node: '1.00x' },
    await row('heal-pyroscope --help', ['--help']),
    await row('heal-pyroscope --version', ['--version']),
    await row('heal-pyroscope preflight --yes (config error)', ['preflight', '--yes']),
  ];
}
