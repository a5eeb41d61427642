// Wall time of a fresh `install` on the lab (engines emptied of images too, so every image is
// pulled from the lab registry) and of a second, no-op install with the same config. Needs root and
// the lab; resets the lab first and leaves the stack uninstalled (lab reset) afterwards.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topology, type LabHost } from './preflight.js';

const labSh = fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url));
const labJson = fileURLToPath(new URL('../test/lab/.run/lab.json', import.meta.url));
const bin = fileURLToPath(new URL('../bin/heal-pyroscope', import.meta.url));

interface InstallDoc {
  ok: boolean;
  pulled: unknown[];
  containers: Array<{ action: string }>;
}

async function timedInstall(config: string, cwd: string): Promise<{ ms: number; doc: InstallDoc | null; exit: number }> {
  const start = process.hrtime.bigint();
  const r = await execa('node', [bin, '--json', 'install', '--config', config, '--yes', '--wait', '60'], { cwd, reject: false, env: { CI: 'true' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let doc: InstallDoc | null = null;
  try {
    doc = JSON.parse(r.stdout) as InstallDoc;
  } catch {
    process.stderr.write(`install printed no JSON document:\n${r.stderr.split('\n').slice(-10).join('\n')}\n`);
  }
  return { ms, doc, exit: r.exitCode ?? -1 };
}

export async function benchInstall(): Promise<Record<string, string>[]> {
  await execa('bash', [labSh, 'up']);
  await execa('bash', [labSh, 'reset', '--images']);
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-install-'));
  try {
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as { keys: { root: string }; knownHosts: string; hosts: LabHost[] };
    const config = join(dir, 'heal-pyroscope.yaml');
    writeFileSync(config, topology(lab.hosts.filter((h) => h.name === 'target-01'), lab));
    const fresh = await timedInstall(config, dir);
    const again = await timedInstall(config, dir);
    const row = (name: string, r: Awaited<ReturnType<typeof timedInstall>>) => ({
      bench: 'install',
      case: name,
      wall_ms: r.ms.toFixed(0),
      pulled: String(r.doc?.pulled.length ?? '?'),
      containers: r.doc ? r.doc.containers.map((c) => c.action).join(',') : '?',
      exit: String(r.exit),
    });
    return [row('fresh install (pulls every image)', fresh), row('no-op reinstall', again)];
  } finally {
    // The stack, its volumes and the local state go: the next bench or test starts clean.
    await execa('bash', [labSh, 'reset']);
    rmSync(dir, { recursive: true, force: true });
  }
}
