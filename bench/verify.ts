// Wall time of `verify` (a profile and an OTLP span from each target through the front door, both
// read back) with 1 and 16 targets: targets send in parallel, so 16 should cost well under 16 times
// one. Needs root and the lab; installs the stack once, brings up the extra targets with
// LAB_TARGETS and puts the lab back to its usual size (and empty) afterwards.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topology, type LabHost } from './preflight.js';

const labSh = fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url));
const labJson = fileURLToPath(new URL('../test/lab/.run/lab.json', import.meta.url));
const bin = fileURLToPath(new URL('../bin/heal-pyroscope', import.meta.url));

export async function benchVerify(runs = 3): Promise<Record<string, string>[]> {
  // reset brings the lab up at the size LAB_TARGETS asks for (without it, the extra targets go).
  await execa('bash', [labSh, 'reset'], { env: { LAB_TARGETS: '15' } });
  // One directory: both configs share the environment's state file (Grafana's credentials).
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-verify-'));
  const rows: Record<string, string>[] = [];
  try {
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as {
      keys: { root: string };
      knownHosts: string;
      hosts: LabHost[];
    };
    const targets = lab.hosts.filter((h) => h.tier === 'target');
    const config = (n: number) => {
      const path = join(dir, `verify-${n}.yaml`);
      writeFileSync(path, topology(targets.slice(0, n), lab));
      return path;
    };
    const install = await execa('node', [bin, 'install', '--config', config(16), '--yes', '--wait', '60'], {
      cwd: dir,
      reject: false,
      env: { CI: 'true' },
    });
    if (install.exitCode !== 0)
      throw new Error(`install for the verify bench failed:\n${install.stderr.split('\n').slice(-10).join('\n')}`);
    for (const n of [1, 16]) {
      const path = config(n);
      const times: number[] = [];
      let exit = 0;
      for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        const r = await execa('node', [bin, 'verify', '--config', path], {
          cwd: dir,
          reject: false,
          env: { CI: 'true' },
        });
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        exit = r.exitCode ?? -1;
        if (exit !== 0)
          process.stderr.write(
            `verify with ${n} target(s) failed:\n${`${r.stdout}\n${r.stderr}`.split('\n').slice(-12).join('\n')}\n`,
          );
      }
      times.sort((a, b) => a - b);
      rows.push({
        bench: 'verify',
        case: `${n} target(s)`,
        median_ms: times[Math.floor(times.length / 2)]!.toFixed(0),
        exit: String(exit),
      });
    }
  } finally {
    // Back to the usual size, engines emptied.
    await execa('bash', [labSh, 'reset'], { env: { LAB_TARGETS: '0' } });
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
