// Wall time of a full `preflight` of the lab with 1, 4 and 16 target hosts (hosts are checked in
// parallel, so 16 targets should cost well under twice one). Needs root and the lab; brings up
// the extra targets with LAB_TARGETS and puts the lab back to its usual size afterwards.
import { execa } from 'execa';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptedCount } from './handshakes.js';

const labSh = fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url));
const labJson = fileURLToPath(new URL('../test/lab/.run/lab.json', import.meta.url));
const bin = fileURLToPath(new URL('../bin/heal-pyroscope', import.meta.url));

export interface LabHost {
  name: string;
  tier: string;
  address: string;
}

export function topology(targets: LabHost[], lab: { keys: { root: string }; knownHosts: string; hosts: LabHost[] }): string {
  const host = (h: LabHost) => `{ host: ${h.address}, name: ${h.name} }`;
  const byName = (n: string) => lab.hosts.find((h) => h.name === n)!;
  return [
    'environment: lab',
    'ssh:',
    '  user: root',
    `  identityFile: ${lab.keys.root}`,
    '  agent: false',
    `  knownHostsFile: ${lab.knownHosts}`,
    'hosts:',
    '  targets:',
    ...targets.map((t) => `    - ${host(t)}`),
    `  web: ${host(byName('web-01'))}`,
    `  app: ${host(byName('app-01'))}`,
    `  db: ${host(byName('db-01'))}`,
    '',
  ].join('\n');
}

/** SSH handshakes one real `preflight` run makes per host, counted in each host's own sshd log. */
export async function benchPreflightHandshakes(): Promise<Record<string, string>[]> {
  await execa('bash', [labSh, 'up']);
  const lab = JSON.parse(readFileSync(labJson, 'utf8')) as { keys: { root: string }; knownHosts: string; hosts: LabHost[] };
  const path = join(mkdtempSync(join(tmpdir(), 'hp-bench-')), 'topology.yaml');
  writeFileSync(path, topology(lab.hosts.filter((h) => h.name === 'target-01'), lab));
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

export async function benchPreflight(runs = 3): Promise<Record<string, string>[]> {
  await execa('bash', [labSh, 'up'], { env: { LAB_TARGETS: '15' } });
  const rows: Record<string, string>[] = [];
  try {
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as { keys: { root: string }; knownHosts: string; hosts: LabHost[] };
    const targets = lab.hosts.filter((h) => h.tier === 'target');
    const dir = mkdtempSync(join(tmpdir(), 'hp-bench-'));
    for (const n of [1, 4, 16]) {
      const path = join(dir, `topology-${n}.yaml`);
      writeFileSync(path, topology(targets.slice(0, n), lab));
      const times: number[] = [];
      let exit = 0;
      for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        const r = await execa('node', [bin, 'preflight', '--config', path], { reject: false, env: { CI: 'true' } });
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        exit = r.exitCode ?? -1;
      }
      times.sort((a, b) => a - b);
      rows.push({ bench: 'preflight', case: `${n} target(s) + web, app, db`, median_ms: times[Math.floor(times.length / 2)]!.toFixed(0), exit: String(exit) });
    }
  } finally {
    await execa('bash', [labSh, 'up'], { env: { LAB_TARGETS: '0' } });
  }
  return rows;
}
