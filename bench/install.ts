// Wall time of a fresh `install` on the lab (engines emptied of images too, so every image is
// pulled from the lab registry) and of a second, no-op install with the same config, each with its
// phases' times from --json; with BENCH_BASELINE, the same pair for that checkout beside it. Needs
// root and the lab; resets the lab first and leaves the stack uninstalled (lab reset) afterwards.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_BIN, BIN, phaseTimes, runCli, type CliRun } from './cli-run.js';
import { topology, type LabHost } from './preflight.js';

const labSh = fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url));
const labJson = fileURLToPath(new URL('../test/lab/.run/lab.json', import.meta.url));

interface InstallDoc {
  pulled?: unknown[];
  containers?: Array<{ action: string }>;
}

async function pair(label: string, bin: string): Promise<Record<string, string>[]> {
  await execa('bash', [labSh, 'reset', '--images']);
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-install-'));
  try {
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as {
      keys: { root: string };
      knownHosts: string;
      hosts: LabHost[];
    };
    const config = join(dir, 'heal-pyroscope.yaml');
    writeFileSync(
      config,
      topology(
        lab.hosts.filter((h) => h.name === 'target-01'),
        lab,
      ),
    );
    const args = ['--json', 'install', '--config', config, '--yes', '--wait', '60'];
    const fresh = await runCli(bin, args, dir);
    const again = await runCli(bin, args, dir);
    const row = (name: string, r: CliRun) => {
      const doc = r.doc as InstallDoc;
      return {
        bench: 'install',
        case: `${label}: ${name}`,
        wall_ms: r.ms.toFixed(0),
        vs_fresh: `${(r.ms / fresh.ms).toFixed(2)}x`,
        pulled: String(doc.pulled?.length ?? '?'),
        containers: doc.containers ? doc.containers.map((c) => c.action).join(',') : '?',
        phases_ms: phaseTimes(r),
        exit: String(r.exit),
      };
    };
    return [row('fresh install (pulls every image)', fresh), row('no-op reinstall', again)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchInstall(): Promise<Record<string, string>[]> {
  await execa('bash', [labSh, 'up']);
  try {
    const rows = await pair('this tree', BIN);
    if (BASELINE_BIN) rows.push(...(await pair('baseline', BASELINE_BIN)));
    return rows;
  } finally {
    // The stack, its volumes and the local state go: the next bench or test starts clean.
    await execa('bash', [labSh, 'reset']);
  }
}
