// Start-up cost of the CLI against a bare `node -e 0`: wall time of `heal-pyroscope --help`,
// `--version` and a config error (no host contacted), median of several runs of the built CLI.
// The cases take turns (one run of each per round), so a machine that gets busier or quieter during
// the bench moves every case alike and the ratios hold; the spread (p25-p75) says how busy it was.
import { execa } from 'execa';
import { BIN, median } from './cli-run.js';

async function timeMs(argv: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  await execa('node', argv, { reject: false, env: { CI: 'true' } });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const quantile = (values: number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * q)]!;

export async function benchStartup(runs = 15): Promise<Record<string, string>[]> {
  const cases: Array<[string, string[]]> = [
    ['node -e 0 (bare Node.js)', ['-e', '0']],
    ['heal-pyroscope --help', [BIN, '--help']],
    ['heal-pyroscope --version', [BIN, '--version']],
    ['heal-pyroscope preflight --yes (config error)', [BIN, 'preflight', '--yes']],
  ];
  const times = cases.map((): number[] => []);
  for (let i = 0; i < runs; i++) for (const [c, [, argv]] of cases.entries()) times[c]!.push(await timeMs(argv));
  const bare = median(times[0]!);
  return cases.map(([name], c) => {
    const ms = median(times[c]!);
    const spread = `${quantile(times[c]!, 0.25).toFixed(0)}-${quantile(times[c]!, 0.75).toFixed(0)}`;
    return {
      bench: 'startup',
      case: name,
      median_ms: ms.toFixed(0),
      p25_p75_ms: spread,
      vs_node: `${(ms / bare).toFixed(2)}x`,
    };
  });
}
