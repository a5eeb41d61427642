// The whole command set as the lab's `heal`: a user in the docker group, not root, with no sudo.
// What needs root on a host (the lock, /opt/heal-pyroscope, the audit log, the flow rules) goes
// through the engine's short-lived helper container; the hosts end as a root install leaves them,
// and no helper container outlives a command.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labExec, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { connectAs, labTopologyFile } from '../support/lab-topology.js';
import { openGrafana } from '../support/open-grafana.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const SERVERS = ['web-01', 'app-01', 'db-01'];

async function sh(host: string, script: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', script]);
  return r.stdout.trim();
}

/** Helper containers left on the servers (there must be none once a command has ended). */
async function helpersLeft(): Promise<string[]> {
  const left: string[] = [];
  for (const host of SERVERS) {
    const names = await sh(host, "docker ps -a --filter label=io.heal-pyroscope.helper --format '{{.Names}}'");
    if (names) left.push(`${host}: ${names}`);
  }
  return left;
}

describe.skipIf(skip !== undefined)('a non-root SSH user in the docker group (lab)', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };
  const cli = (args: string[]) =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  beforeAll(async () => {
    lab = requireLab();
    // Without images: the helper pulls its own where the stack does not (app-01, db-01).
    await resetLab({ images: true });
    topo = labTopologyFile(lab);
    connectAs(topo.path, 'heal', lab.keys.heal);
  });
  afterAll(async () => {
    await resetLab();
  });

  it('install: files owned by the container users, the rules, the audit line, no helper left', async () => {
    const r = await cli(['--json', 'install', '--wait', '60']);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    // Pyroscope's config, written through the engine, as a root install writes it.
    expect(await sh('app-01', 'stat -c %u:%g:%a /opt/heal-pyroscope/app/pyroscope/config.yaml')).toMatch(
      /^10001:10001:600$/,
    );
    expect(await sh('db-01', 'iptables -S HEAL-PYROSCOPE')).toMatch(
      /-s \S+ -p tcp -m conntrack --ctorigdstport 9000 --ctdir ORIGINAL -j RETURN/,
    );
    const audit = await sh('app-01', 'tail -n 1 /var/log/heal-pyroscope/audit.log');
    expect(JSON.parse(audit)).toMatchObject({ command: 'install', outcome: 'ok' });
    expect(await sh('app-01', 'stat -c %U:%a /var/log/heal-pyroscope/audit.log')).toBe('root:640');
    expect(await sh('app-01', 'test -e /run/heal-pyroscope.lock && echo held || echo free')).toBe('free');
    expect(await helpersLeft()).toEqual([]);
    // The helper's image, pulled on app-01 and db-01 at the lock, is recorded as ours.
    const state = JSON.parse(readFileSync(join(topo.dir, '.heal-pyroscope', 'lab.state.json'), 'utf8')) as {
      pulledImages: Record<string, Array<{ ref: string }>>;
    };
    for (const host of SERVERS)
      expect(
        state.pulledImages[host]?.map((p) => p.ref),
        host,
      ).toContain('haproxy:3.2.4');
  }, 300_000);

  it('status, verify and logs read what install made, flows included', async () => {
    const status = await cli(['--json', 'status']);
    expect(status.code, status.stdout).toBe(0);
    const doc = JSON.parse(status.stdout) as { flows: Array<{ drift: string | null }>; lastChanges: unknown[] };
    expect(doc.flows.length).toBeGreaterThan(0);
    expect(doc.flows.every((f) => f.drift === null)).toBe(true);
    expect(doc.lastChanges.length).toBe(3);
    const verify = await cli(['verify', '--wait', '30']);
    expect(verify.code, `${verify.stderr}\n${verify.stdout}`).toBe(0);
    const logs = await cli(['logs', 'pyroscope', '--tail', '1']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(await helpersLeft()).toEqual([]);
  }, 240_000);

  it('backup, uninstall --purge, then restore', async () => {
    const archive = join(topo.dir, 'backup.tar');
    const backup = await cli(['backup', archive]);
    expect(backup.code, backup.stderr).toBe(0);
    const purged = await cli(['uninstall', '--purge']);
    expect(purged.code, `${purged.stderr}\n${purged.stdout}`).toBe(0);
    const restore = await cli(['restore', archive, '--wait', '60']);
    expect(restore.code, `${restore.stderr}\n${restore.stdout}`).toBe(0);
    expect(await helpersLeft()).toEqual([]);
  }, 300_000);

  it('open grafana answers /api/health on the local port', async () => {
    const run = await openGrafana(topo);
    expect(run.health, run.output).toBe(200);
    expect(run.code, run.output).toBe(130);
  }, 90_000);

  it('uninstall --purge removes what install made, and keeps the audit log', async () => {
    const r = await cli(['uninstall', '--purge']);
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    for (const host of SERVERS) {
      expect(await sh(host, 'test -e /opt/heal-pyroscope && echo present || echo gone'), host).toBe('gone');
      expect(await sh(host, 'iptables -S HEAL-PYROSCOPE 2>/dev/null | wc -l'), host).toBe('0');
      // The helper's image too, on app-01 and db-01 where only the helper used it.
      expect(await sh(host, 'docker images -q haproxy:3.2.4'), host).toBe('');
      expect(JSON.parse(await sh(host, 'tail -n 1 /var/log/heal-pyroscope/audit.log')), host).toMatchObject({
        command: 'uninstall',
        outcome: 'ok',
      });
    }
    expect(await helpersLeft()).toEqual([]);
  }, 240_000);
});
