import { describe, expect, it } from 'vitest';
import { collectImage } from '../../../src/console/topology-options.js';
import { runCli } from '../../support/run-cli.js';

const full = [
  '--environment',
  'staging',
  '--target',
  't1',
  '--web',
  'w1',
  '--app',
  'a1',
  '--db',
  'd1',
  '--ssh-user',
  'deploy',
  '--identity-file',
  '/k',
];

describe('--image COMPONENT=IMAGE', () => {
  it('collects one override per component, the last one winning', () => {
    const once = collectImage('minio=mirror.internal/minio/minio:RELEASE.2025-06-13T11-33-47Z');
    expect(collectImage('pyroscope=grafana/pyroscope:1.15.0', once)).toEqual({
      minio: 'mirror.internal/minio/minio:RELEASE.2025-06-13T11-33-47Z',
      pyroscope: 'grafana/pyroscope:1.15.0',
    });
  });

  it('refuses an unknown component, a missing =, latest and an untagged image', () => {
    expect(() => collectImage('loki=grafana/loki:3.0.0')).toThrow(
      /components: minio, pyroscope, tempo, grafana, haproxy/,
    );
    expect(() => collectImage('grafana/pyroscope:1.15.0')).toThrow(/is not COMPONENT=IMAGE/);
    expect(() => collectImage('pyroscope=grafana/pyroscope:latest')).toThrow(/floating tag "latest"/);
    expect(() => collectImage('pyroscope=grafana/pyroscope')).toThrow(/no tag or digest/);
  });

  it('is a usage error on the command line', async () => {
    const r = await runCli(['install', ...full, '--image', 'pyroscope=grafana/pyroscope:latest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"grafana/pyroscope:latest" uses the floating tag "latest"');
  });

  it('is documented in the help of install, preflight and images save', async () => {
    for (const cmd of [['install'], ['preflight'], ['images', 'save']]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.stdout, cmd.join(' ')).toContain('--image <component=image>');
    }
  });
});

describe('loopback addresses', () => {
  it('install refuses a loopback app address with exit 2 before contacting any host', async () => {
    const args = full.map((a) => (a === 'a1' ? '127.0.0.1' : a));
    const r = await runCli(['install', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'hosts.app: 127.0.0.1 is a loopback address: containers would reach themselves; nothing was contacted',
    );
    expect(r.stderr).toMatch(/not loopback/);
  });

  it('install names every refused address', async () => {
    const args = full.map((a) => (a === 'w1' ? 'localhost' : a === 'd1' ? '::1' : a));
    const r = await runCli(['install', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('2 host addresses cannot go into the container configs');
    expect(r.stderr).toContain('hosts.web: localhost is a loopback name');
    expect(r.stderr).toContain('hosts.db: ::1 is a loopback address');
  });
});
