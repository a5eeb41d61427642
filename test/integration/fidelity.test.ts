// What real hosts need, shown against the lab's real engines and registries: MinIO pulled from
// quay.io by name, one component's image overridden, an image check that asks the registry, the
// CPU level, loopback addresses refused before any host is contacted, and containers with bounded
// logs and memory and an offline Grafana.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightReport } from '../../src/checks/run-checks.js';
import { labExec, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { run, runLabSh } from '../lab/lab-sh.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const LAB_STATE_DIR = process.env['LAB_STATE_DIR'] ?? '/var/lib/hplab';
const MINIO = 'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z';
const SERVERS = ['web-01', 'app-01', 'db-01'] as const;

/** Completed SSH logins in a lab host's own sshd log. */
function logins(host: string): number {
  return readFileSync(join(LAB_STATE_DIR, 'hosts', host, 'logs', 'sshd.log'), 'utf8')
    .split('\n')
    .filter((l) => /Accepted \S+ for /.test(l)).length;
}

async function preflight(path: string): Promise<{ code: number; report: PreflightReport }> {
  const r = await runCli(['--json', 'preflight', '--config', path], { env: { CI: 'true' } });
  return { code: r.code, report: JSON.parse(r.stdout) as PreflightReport };
}

async function inspect(
  host: string,
  container: string,
): Promise<{
  Config: { Image: string; Env: string[] };
  HostConfig: { LogConfig: { Type: string; Config: Record<string, string> }; Memory: number };
}> {
  const r = await labExec(host, ['docker', 'inspect', container]);
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as never[])[0]!;
}

async function labFault(...args: string[]): Promise<void> {
  const r = await runLabSh(['fault', ...args]);
  expect(r.exitCode, r.stderr).toBe(0);
}

describe.skipIf(skip)('fidelity to real hosts (lab)', () => {
  let lab: Lab;
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;

  beforeAll(async () => {
    lab = requireLab();
    await resetLab({ images: true });
  });
  afterAll(async () => {
    await resetLab();
  });

  it('passes the CPU level on this machine and fails it on a host whose CPU lacks x86-64-v2, naming the flags', async () => {
    const topo = labTopologyFile(lab);
    await labFault('cpu-v1', 'app-01');
    try {
      const { code, report } = await preflight(topo.path);
      expect(code).toBe(1);
      const cpu = report.results.filter((r) => r.id === 'host.cpu-level');
      expect(cpu.find((r) => r.host === 'db-01')?.status).toBe('pass');
      const app = cpu.find((r) => r.host === 'app-01')!;
      expect(app.status).toBe('fail');
      expect(app.summary).toContain('x86-64-v2');
      expect(app.summary).toMatch(/missing .*sse4_2/);
      expect(app.evidence.join(' ')).toMatch(/popcnt/);
    } finally {
      await resetLab();
    }
  });

  it('fails the image check when the registry answers but lacks the image, naming image, registry and answer', async () => {
    const topo = labTopologyFile(
      lab,
      [
        'images:',
        '  pyroscope: grafana/pyroscope:0.0.0-not-published',
        '  minio: minio/minio:RELEASE.2025-06-13T11-33-47Z',
        '',
      ].join('\n'),
    );
    const { code, report } = await preflight(topo.path);
    expect(code).toBe(1);
    const app = report.results.find((r) => r.id === 'images.available' && r.host === 'app-01')!;
    expect(app.status).toBe('fail');
    expect(app.summary).toContain('grafana/pyroscope:0.0.0-not-published (docker.io: not found)');
    // Docker Hub no longer has minio/minio; neither has the lab's Hub mirror.
    const db = report.results.find((r) => r.id === 'images.available' && r.host === 'db-01')!;
    expect(db.status).toBe('fail');
    expect(db.summary).toContain('minio/minio:RELEASE.2025-06-13T11-33-47Z (docker.io: not found)');
    expect(report.results.find((r) => r.id === 'images.available' && r.host === 'web-01')?.status).toBe('pass');
  });

  it('refuses a loopback app address with exit 2 and opens no SSH connection to any host', async () => {
    const topo = labTopologyFile(lab);
    const text = readFileSync(topo.path, 'utf8').replace(
      `host: ${address('app-01')}, name: app-01`,
      'host: 127.0.0.1, name: app-01',
    );
    const path = join(topo.dir, 'loopback.yaml');
    await import('node:fs/promises').then((fs) => fs.writeFile(path, text));
    const before = [...SERVERS, 'target-01'].map(logins);
    const r = await runCli(['install', '--config', path, '--yes'], { env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hosts.app: 127.0.0.1 is a loopback address');
    expect(r.stderr).toContain('nothing was contacted');
    expect([...SERVERS, 'target-01'].map(logins)).toEqual(before);
  });

  it('installs MinIO from quay.io and a digest-pinned override of Pyroscope, with bounded logs and memory and an offline Grafana', async () => {
    // The digest the lab registry serves for the pin: an override by digest of the same image.
    const manifest = await run([
      'busybox',
      'wget',
      '-q',
      '-S',
      '-O',
      '/dev/null',
      '--header',
      'Accept: application/vnd.docker.distribution.manifest.v2+json',
      `http://${lab.registry}/v2/grafana/pyroscope/manifests/1.14.0`,
    ]);
    const digest = /Docker-Content-Digest: (sha256:[0-9a-f]{64})/i.exec(manifest.stderr)?.[1];
    expect(digest, manifest.stderr).toBeDefined();
    const override = `grafana/pyroscope@${digest}`;
    const topo = labTopologyFile(lab, `images:\n  pyroscope: ${override}\n`);

    const r = await runCli(['--json', 'install', '--config', topo.path, '--yes', '--wait', '60'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(0);

    expect((await inspect('db-01', 'heal-pyroscope-minio')).Config.Image).toBe(MINIO);
    expect((await inspect('app-01', 'heal-pyroscope-pyroscope')).Config.Image).toBe(override);
    expect((await inspect('app-01', 'heal-pyroscope-tempo')).Config.Image).toBe('grafana/tempo:2.8.1');

    const expectedMemory: Record<string, number> = {
      minio: 2048,
      pyroscope: 2048,
      tempo: 2048,
      grafana: 512,
      haproxy: 256,
    };
    for (const [host, component] of [
      ['db-01', 'minio'],
      ['app-01', 'pyroscope'],
      ['app-01', 'tempo'],
      ['app-01', 'grafana'],
      ['web-01', 'haproxy'],
    ] as const) {
      const c = await inspect(host, `heal-pyroscope-${component}`);
      expect(c.HostConfig.LogConfig, component).toEqual({
        Type: 'json-file',
        Config: { 'max-size': '10m', 'max-file': '3' },
      });
      expect(c.HostConfig.Memory, component).toBe(expectedMemory[component]! * 1024 * 1024);
    }
    const grafana = await inspect('app-01', 'heal-pyroscope-grafana');
    expect(grafana.Config.Env).toEqual(
      expect.arrayContaining([
        'GF_PLUGINS_PREINSTALL_DISABLED=true',
        'GF_ANALYTICS_CHECK_FOR_UPDATES=false',
        'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false',
        'GF_NEWS_NEWS_FEED_ENABLED=false',
      ]),
    );

    // A second run with the same settings changes nothing: the digest-pinned image counts as present.
    const again = await runCli(['--json', 'install', '--config', topo.path, '--yes', '--wait', '60'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(again.code, again.stderr).toBe(0);
    const doc = JSON.parse(again.stdout) as { pulled: unknown[]; containers: Array<{ action: string }> };
    expect(doc.pulled).toEqual([]);
    expect(
      doc.containers.map((c) => c.action),
      again.stdout.slice(0, 3000),
    ).toEqual(doc.containers.map(() => 'unchanged'));
  });
});
