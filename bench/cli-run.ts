// One timed run of a built CLI for the benchmarks: wall time, the CLI's peak memory (GNU time's
// maximum resident set, when /usr/bin/time exists) and, with --json, each phase's time.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This tree's CLI; BENCH_BASELINE=DIR adds the same runs of another built checkout (e.g. main) beside it. */
export const BIN = fileURLToPath(new URL('../bin/heal-pyroscope', import.meta.url));
export const BASELINE_BIN = process.env['BENCH_BASELINE']
  ? `${process.env['BENCH_BASELINE']}/bin/heal-pyroscope`
  : undefined;
const GNU_TIME = '/usr/bin/time';

export interface CliRun {
  ms: number;
  peakKb: number | undefined;
  /** User plus system CPU time of the CLI and the local processes it ran (ssh -G); less sensitive than wall time to a loaded machine. */
  cpuMs: number | undefined;
  exit: number;
  doc: { phases?: Array<{ title: string; ms?: number; hosts?: Record<string, number> }> } & Record<string, unknown>;
}

export async function runCli(bin: string, args: string[], cwd?: string): Promise<CliRun> {
  const timed = existsSync(GNU_TIME);
  const argv = timed ? [GNU_TIME, '-f', 'peak-kb %M cpu %U %S', 'node', bin, ...args] : ['node', bin, ...args];
  const start = process.hrtime.bigint();
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, env: { CI: 'true' }, ...(cwd ? { cwd } : {}) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const usage = /peak-kb (\d+) cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  let doc: CliRun['doc'] = {};
  try {
    doc = JSON.parse(r.stdout) as CliRun['doc'];
  } catch {
    if (args.includes('--json'))
      process.stderr.write(`no JSON document from ${args.join(' ')}:\n${r.stderr.split('\n').slice(-8).join('\n')}\n`);
  }
  return {
    ms,
    peakKb: usage ? Number(usage[1]) : undefined,
    cpuMs: usage ? (Number(usage[2]) + Number(usage[3])) * 1000 : undefined,
    exit: r.exitCode ?? -1,
    doc,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** "Connect 310 (slowest web-01 290), Preflight checks 420 (...)": each phase's ms and its slowest host. */
export function phaseTimes(run: CliRun): string {
  return (run.doc.phases ?? [])
    .filter((p) => p.ms !== undefined)
    .map((p) => {
      const slowest = Object.entries(p.hosts ?? {}).sort(([, a], [, b]) => b - a)[0];
      return `${p.title} ${p.ms}${slowest ? ` (${slowest[0]} ${slowest[1]})` : ''}`;
    })
    .join('; ');
}
