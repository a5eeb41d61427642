// Wall time and peak memory of a full `preflight` of the lab with 1, 16, 64 and 100 target hosts
// (hosts are checked in parallel, so 100 targets should cost under twice one), with each phase's
// time from --json. Needs root and the lab; brings up the extra targets with LAB_TARGETS and puts
// the lab back to its usual size afterwards.
import { execa } from 'execa';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_BIN, BIN, median, phaseTimes, runCli, type CliRun } from './cli-run.js';
import { acceptedCount } from './handshakes.js';
import { labTopologyText, type LabLike } from '../test/support/lab-topology.js';

const labSh = fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url));
const labJson = fileURLToPath(new URL('../test/lab/.run/lab.json', import.meta.url));
const bin = fileURLToPath(new URL('../bin/heal-pyroscope', import.meta.url));

export interface LabHost {
  name: string;
  tier: string;
  address: string;
}

/** The lab's topology with `targets` as its targets (test/support/lab-topology.ts writes it for the tests too). */
export function topology(targets: LabHost[], lab: LabLike): string {
  return labTopologyText(
    lab,
    targets.map((t) => t.name),
  );
}

/** SSH handshakes one real `preflight` run makes per host, counted in each host's own sshd log. */
export async function benchPreflightHandshakes(): Promise<Record<string, string>[]> {
  await execa('bash', [labSh, 'up']);
  const lab = JSON.parse(readFileSync(labJson, 'utf8')) as {
    keys: { root: string };
    knownHosts: string;
    hosts: LabHost[];
  };
  const path = join(mkdtempSync(join(tmpdir(), 'hp-bench-')), 'topology.yaml');
  writeFileSync(
    path,
    topology(
      lab.hosts.filter((h) => h.name === 'target-01'),
      lab,
    ),
  );
  const hosts = ['target-01', 'web-01', 'app-01', 'db-01'];
  const before = hosts.map(acceptedCount);
  const r = await execa('node', [bin, 'preflight', '--config', path], { reject: false, env: { CI: 'true' } });
  return hosts.map((host, i) => ({
    bench: 'preflight handshakes',
    case: host,
    handshakes: String((acceptedCount(host) ?? NaN) - (before[i] ?? NaN)),
    expected: '1',
    exit: String(r.exitCode),
  }));
}

/** Target counts of the preflight bench (BENCH_TARGETS=1,16 for a short run); the lab grows to the largest. */
const TARGET_COUNTS = (process.env['BENCH_TARGETS'] ?? '1,16,64,100').split(',').map(Number);

export async function benchPreflight(runs = 3): Promise<Record<string, string>[]> {
  const most = Math.max(...TARGET_COUNTS);
  const up = await execa('bash', [labSh, 'up'], { env: { LAB_TARGETS: String(most - 1) } });
  const rows: Record<string, string>[] = [
    { bench: 'lab', case: `lab.sh up with ${most} targets`, note: /lab up in [^;]*/.exec(up.stderr)?.[0] ?? '?' },
  ];
  try {
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as {
      keys: { root: string };
      knownHosts: string;
      hosts: LabHost[];
    };
    const targets = lab.hosts.filter((h) => h.tier === 'target');
    const dir = mkdtempSync(join(tmpdir(), 'hp-bench-'));
    let one: number | undefined;
    for (const [label, bin] of [['this tree', BIN], ...(BASELINE_BIN ? [['baseline', BASELINE_BIN]] : [])] as const) {
      for (const n of TARGET_COUNTS) {
        const path = join(dir, `topology-${n}.yaml`);
        writeFileSync(path, topology(targets.slice(0, n), lab));
        const results: CliRun[] = [];
        for (let i = 0; i < runs; i++) results.push(await runCli(bin, ['--json', 'preflight', '--config', path]));
        const ms = median(results.map((r) => r.ms));
        if (label === 'this tree' && n === TARGET_COUNTS[0]) one = ms;
        const last = results.at(-1)!;
        rows.push({
          bench: 'preflight',
          case: `${label}: ${n} target(s) + web, app, db`,
          median_ms: ms.toFixed(0),
          vs_first: one ? `${(ms / one).toFixed(2)}x` : '',
          cli_cpu_ms: results.every((r) => r.cpuMs !== undefined)
            ? median(results.map((r) => r.cpuMs!)).toFixed(0)
            : 'n/a',
          peak_rss_mb: last.peakKb ? (last.peakKb / 1024).toFixed(0) : 'n/a',
          phases_ms: phaseTimes(last),
          exit: String(last.exit),
        });
      }
    }
  } finally {
    await execa('bash', [labSh, 'up'], { env: { LAB_TARGETS: '0' } });
  }
  return rows;
}
