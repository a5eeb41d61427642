// Lab faults that must be reported as what they are (issue 14, points 3 to 5): flows to or from a
// host without SSH are not tested (not refused) and cost no listener's deadline; a production
// marker only in an engine label or only in /etc/hostname is refused (exit 3, nothing changed); a
// full /opt fails preflight's disk check and, ignored, install names the full filesystem.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fault, labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { hostSnapshot as hostState } from '../support/host-snapshot.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
describe.skipIf(skip)('faults reported as what they are (lab)', () => {
  let topo: { dir: string; path: string };
  const cli = (args: string[]) =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  beforeAll(async () => {
    topo = labTopologyFile(requireLab());
    await resetLab();
  });
  afterEach(async () => {
    await resetLab();
  });
  afterAll(async () => {
    await resetLab();
  });

  it('refuses an engine labelled environment=live (exit 3) and changes nothing', async () => {
    await fault('label', 'app-01', 'environment=live');
    const before = await hostState();
    const r = await cli(['preflight']);
    expect(r.code, r.stderr).toBe(3);
    expect(`${r.stdout}\n${r.stderr}`).toContain('app-01: Docker engine label environment=live');
    expect(await hostState()).toEqual(before);
  }, 60_000);

  it('refuses a host whose /etc/hostname alone says production (exit 3) and changes nothing', async () => {
    await labExec('db-01', ['sh', '-c', 'echo prod-db-01 > /etc/hostname']);
    expect((await labExec('db-01', ['hostname'])).stdout.trim()).toBe('db-01');
    const before = await hostState();
    const r = await cli(['preflight']);
    expect(r.code, r.stderr).toBe(3);
    expect(`${r.stdout}\n${r.stderr}`).toContain('db-01: /etc/hostname prod-db-01');
    expect(await hostState()).toEqual(before);
  }, 60_000);

  it('reports flows to a host whose sshd is stopped as not tested, the host itself as the one failure', async () => {
    await fault('stop-ssh', 'app-01');
    const r = await cli(['--json', 'preflight']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      results: Array<{ id: string; host: string; status: string; summary: string }>;
    };
    const toApp = doc.results.filter((c) => c.id === 'flows.open' && c.summary.includes('-> app-01:'));
    expect(toApp).toHaveLength(4);
    expect(toApp.every((c) => c.status === 'skip' && c.summary.includes('not tested (no SSH to app-01'))).toBe(true);
    expect(doc.results.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.host}`)).toEqual([
      'ssh.connect app-01',
    ]);
  }, 60_000);

  it('does not wait out a listener for a source whose sshd is stopped', async () => {
    const clean = Date.now();
    expect((await cli(['preflight'])).code).toBe(0);
    const cleanMs = Date.now() - clean;
    await fault('stop-ssh', 'target-01');
    const started = Date.now();
    const r = await cli(['--json', 'preflight']);
    const ms = Date.now() - started;
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      results: Array<{ id: string; host: string; status: string; summary: string }>;
    };
    expect(doc.results.find((c) => c.id === 'flows.open' && c.host === 'target-01')).toMatchObject({ status: 'skip' });
    // The listener's deadline is the probe timeout plus 5 s; without it preflight takes about as long as a clean run.
    expect(ms).toBeLessThan(cleanMs + 3000);
  }, 60_000);

  it('fails the disk check naming a full /opt, and install (check ignored) names the full filesystem, /opt as it was', async () => {
    await fault('disk-full', 'app-01', '/opt');
    const pre = await cli(['--json', 'preflight']);
    expect(pre.code).toBe(1);
    const doc = JSON.parse(pre.stdout) as {
      results: Array<{ id: string; host: string; status: string; summary: string }>;
    };
    expect(doc.results.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.host}`)).toEqual([
      'resources.disk app-01',
    ]);
    expect(doc.results.find((c) => c.id === 'resources.disk' && c.host === 'app-01')?.summary).toMatch(
      /free on \/opt, where the configuration is written/,
    );

    // Every engine and every /opt: the rollback waits for the other hosts' writes, then undoes them.
    const before = await hostState();
    const r = await cli(['install', '--ignore-check', 'resources.disk', '--wait', '30']);
    expect(r.code).toBe(1);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(
      /Cannot write \/opt\/heal-pyroscope\/\S+ on app-01: the filesystem \/opt is full/,
    );
    expect(await hostState()).toEqual(before);
  }, 180_000);
});
