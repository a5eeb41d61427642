import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightReport } from '../../src/checks/run-checks.js';
import { fault, labExec, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { runCli } from '../support/run-cli.js';
import { connectAs, labTopologyFile } from '../support/lab-topology.js';

const skip = labSkipReason();

async function preflight(path: string, ...args: string[]) {
  const r = await runCli(['--json', 'preflight', '--config', path, ...args], { env: { CI: 'true' } });
  return { ...r, report: JSON.parse(r.stdout) as PreflightReport };
}

/** What preflight must never change: each engine's containers, networks and volumes. */
async function engineState(): Promise<string> {
  const parts: string[] = [];
  for (const host of ['web-01', 'app-01', 'db-01']) {
    for (const what of [
      ['ps', '-a', '--format', '{{.Names}} {{.Image}}'],
      ['network', 'ls', '-q'],
      ['volume', 'ls', '-q'],
    ]) {
      const r = await labExec(host, ['docker', ...what]);
      parts.push(`${host} ${what[0]}: ${r.stdout.trim()}`);
    }
  }
  return parts.join('\n');
}

describe.skipIf(skip)('preflight against the lab', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };

  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    topo = labTopologyFile(lab);
  });
  afterAll(async () => {
    await resetLab();
  });

  it('passes every check on a clean lab', async () => {
    const { code, report } = await preflight(topo.path);
    expect(report.results.filter((r) => r.status === 'fail')).toEqual([]);
    expect(code).toBe(0);
    expect(report.guard).toEqual({ ok: true, findings: [] });
    const flows = report.results.filter((r) => r.id === 'flows.open');
    expect(flows.map((f) => f.summary).sort()).toEqual([
      'app-01 -> db-01:9000 open',
      'target-01 -> web-01:9940 open',
      'web-01 -> app-01:14250 open',
      'web-01 -> app-01:3200 open',
      'web-01 -> app-01:4040 open',
      'web-01 -> app-01:4317 open',
    ]);
    for (const host of ['web-01', 'app-01', 'db-01']) {
      expect(report.results.find((r) => r.host === host && r.id === 'images.available')?.status, host).toBe('pass');
    }
  });

  it('reports a dropped flow as filtered, for exactly that flow', async () => {
    await fault('drop-flow', 'web-01', 'app-01', 4317);
    try {
      const { code, report } = await preflight(topo.path);
      expect(code).toBe(1);
      const failed = report.results.filter((r) => r.status === 'fail');
      expect(failed.map((r) => `${r.id} ${r.summary}`)).toEqual([
        'flows.open web-01 -> app-01:4317 filtered (timed out)',
      ]);
      expect(failed[0]!.remedy).toMatch(/firewall/);
    } finally {
      await resetLab();
    }
  });

  it('names the holder of an occupied port', async () => {
    await fault('occupy-port', 'app-01', 4040);
    try {
      const { code, report } = await preflight(topo.path);
      expect(code).toBe(1);
      const ports = report.results.find((r) => r.host === 'app-01' && r.id === 'ports.free')!;
      expect(ports.status).toBe('fail');
      expect(ports.summary).toMatch(/^in use: 4040 by process \S+ \(pid \d+\)$/);
    } finally {
      await resetLab();
    }
  });

  it('fails only the stopped engine’s own checks', async () => {
    await fault('stop-docker', 'db-01');
    try {
      const { code, report } = await preflight(topo.path);
      expect(code).toBe(1);
      const failed = report.results.filter((r) => r.status === 'fail');
      expect(failed.map((r) => `${r.host} ${r.id}`)).toEqual(['db-01 docker.engine']);
      expect(failed[0]!.summary).toMatch(/not running/i);
      expect(report.results.filter((r) => r.status === 'skip').every((r) => r.host === 'db-01')).toBe(true);
    } finally {
      await resetLab();
    }
  });

  it('refuses a production-looking host with exit 3 and changes nothing', async () => {
    const before = await engineState();
    await fault('prod', 'app-01');
    try {
      const { code, report, stderr } = await preflight(topo.path);
      expect(code).toBe(3);
      expect(report.guard.ok).toBe(false);
      expect(report.guard.findings).toContainEqual(
        expect.objectContaining({
          host: 'app-01',
          rule: 'hostnamePatterns',
          evidence: expect.stringMatching(/^hostname prod-/),
        }),
      );
      expect(report.guard.findings).toContainEqual(
        expect.objectContaining({ host: 'app-01', rule: 'environmentVariables' }),
      );
      expect(report.results).toEqual([]);
      expect(stderr).toMatch(/take the production word out of the name or value shown/);
      expect(stderr).not.toMatch(/guard:`/);
      expect(await engineState()).toBe(before);
    } finally {
      await resetLab();
    }
  });

  it('refuses a declared production environment before connecting', async () => {
    const { path } = labTopologyFile(lab);
    const r = await runCli(['preflight', '--config', path, '--environment', 'production']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('config: declared environment "production" matches guard rule environment');
  });

  it('writes JUnit XML with one suite per host', async () => {
    const junit = join(topo.dir, 'preflight.xml');
    const { code } = await preflight(topo.path, '--junit', junit);
    expect(code).toBe(0);
    expect(existsSync(junit)).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    for (const host of ['target-01', 'web-01', 'app-01', 'db-01']) expect(xml).toContain(`<testsuite name="${host}"`);
    expect(xml).not.toContain('<failure');
  });

  /** The lab topology, connecting as `user` with heal's key (the lab's non-root users all accept it). */
  const as = (user: string) => connectAs(labTopologyFile(lab).path, user, lab.keys.heal);

  it('says a docker-group user is ready: root goes through Docker, no sudo', async () => {
    const { code, report } = await preflight(as('heal'));
    expect(code, JSON.stringify(report.results.filter((r) => r.status === 'fail'))).toBe(0);
    for (const host of ['web-01', 'app-01', 'db-01']) {
      const of = (id: string) => report.results.find((r) => r.host === host && r.id === id);
      expect(of('docker.engine')?.status, host).toBe('pass');
      expect(of('ssh.root')).toMatchObject({
        status: 'pass',
        summary: expect.stringMatching(/^connected as heal \(uid \d+\): .* through Docker; no sudo$/),
      });
    }
  });

  it('names the socket, its group and the fix for a user without Docker access', async () => {
    const { code, report } = await preflight(as('hpnodocker'));
    expect(code).toBe(1);
    for (const host of ['web-01', 'app-01', 'db-01']) {
      const docker = report.results.find((r) => r.host === host && r.id === 'docker.engine');
      expect(docker, host).toMatchObject({
        status: 'fail',
        summary: expect.stringMatching(
          /^User hpnodocker on .* may not use the Docker socket .*hpnodocker is not in group docker/,
        ),
        remedy: expect.stringContaining('to group docker'),
      });
    }
  });
});
