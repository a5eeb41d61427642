// Dry runs change nothing and say what would change; the host lock refuses a second run and names
// who holds it; --force-unlock clears a lock left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const SERVERS = ['web-01', 'app-01', 'db-01'];

/** Each server's containers, networks, volumes and product files: what a dry run must not touch. */
async function hostState(): Promise<string> {
  const parts: string[] = [];
  for (const host of SERVERS) {
    for (const argv of [
      ['docker', 'ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}'],
      ['docker', 'network', 'ls', '--format', '{{.Name}}'],
      ['docker', 'volume', 'ls', '--format', '{{.Name}}'],
      ['sh', '-c', 'ls -R /opt/heal-pyroscope /run/heal-pyroscope.lock 2>&1 || true'],
    ]) {
      parts.push(`${host} ${argv.join(' ')}: ${(await labExec(host, argv)).stdout.trim()}`);
    }
  }
  return parts.join('\n');
}

describe.skipIf(skip)('dry runs and the host lock (lab)', () => {
  let topo: { dir: string; path: string };
  const cli = (args: string[]) =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  beforeAll(async () => {
    topo = labTopologyFile(requireLab());
    await resetLab();
  });
  afterAll(async () => {
    await resetLab();
  });

  it('install --dry-run prints the plan per host and changes nothing', async () => {
    const before = await hostState();
    const r = await cli(['--json', 'install', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      dryRun: boolean;
      plan: { tiers: Array<{ machine: string; containers: Array<{ name: string; action: string }> }> };
    };
    expect(doc.dryRun).toBe(true);
    const planned = doc.plan.tiers.flatMap((t) => t.containers.map((c) => `${t.machine} ${c.name} ${c.action}`)).sort();
    expect(planned).toEqual([
      'app-01 heal-pyroscope-grafana create',
      'app-01 heal-pyroscope-pyroscope create',
      'app-01 heal-pyroscope-tempo create',
      'db-01 heal-pyroscope-minio create',
      'web-01 heal-pyroscope-haproxy create',
    ]);
    expect(await hostState()).toBe(before);
  });

  it('refuses to install while another run holds the lock, naming who and since when', async () => {
    const owner = JSON.stringify({
      by: 'alice@ops-laptop',
      command: 'install',
      pid: 4242,
      startedAt: '2026-11-25T10:00:00.000Z',
      runId: 'other-run',
    });
    await labExec('web-01', [
      'sh',
      '-c',
      'mkdir -m 700 /run/heal-pyroscope.lock && printf "%s\\n" "$1" > /run/heal-pyroscope.lock/owner',
      'sh',
      owner,
    ]);
    const before = await hostState();
    const r = await cli(['install']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'web-01 is locked: install started by alice@ops-laptop at 2026-11-25T10:00:00.000Z (pid 4242); nothing was changed',
    );
    expect(r.stderr).toContain('--force-unlock');
    expect(await hostState()).toBe(before);
  });

  it('--force-unlock clears a stale lock and the install proceeds, releasing its own lock at the end', async () => {
    const r = await cli(['install', '--force-unlock', '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    for (const host of SERVERS) {
      expect(
        (await labExec(host, ['sh', '-c', 'test -e /run/heal-pyroscope.lock && echo held || echo free'])).stdout.trim(),
        host,
      ).toBe('free');
    }
  });

  it('uninstall --dry-run removes nothing', async () => {
    const before = await hostState();
    const r = await cli(['uninstall', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing will be removed.');
    expect(await hostState()).toBe(before);
    expect((await labExec('app-01', ['docker', 'ps', '--format', '{{.Names}}'])).stdout).toContain(
      'heal-pyroscope-pyroscope',
    );
  });
});
