// The lab's fault switches: each breaks exactly one thing a preflight check must notice, and
// `reset` undoes it. These are the lab's own guarantees; the installer's checks are tested elsewhere.

import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fault, labExec, labHost, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { run } from '../lab/lab-sh.js';
import { imageRef } from '../../src/stack/image-ref.js';
import { component } from '../../src/stack/manifest.js';

const skip = labSkipReason();

describe.skipIf(skip !== undefined)('lab faults', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = requireLab();
  });
  afterEach(async () => {
    await resetLab();
  });

  const ssh = (host: string, command: string) =>
    run(['ssh', '-F', lab.sshConfig, host, command], { timeoutMs: 20_000 });
  /** Exit 0: connected; 1: refused or unreachable; 124: timed out (dropped). */
  const connect = (from: string, to: string, port: number) =>
    labExec(from, ['timeout', '2', 'bash', '-c', `</dev/tcp/${labHost(to).address}/${port}`]);

  it('drops one flow: target-01 to web-01:9940 times out while db-01 still connects', async () => {
    await fault('occupy-port', 'web-01', 9940); // something to connect to
    expect((await connect('target-01', 'web-01', 9940)).exitCode).toBe(0);
    await fault('drop-flow', 'target-01', 'web-01', 9940);
    expect((await connect('target-01', 'web-01', 9940)).exitCode).toBe(124);
    expect((await connect('db-01', 'web-01', 9940)).exitCode).toBe(0);
    expect((await connect('target-01', 'web-01', 22)).exitCode).toBe(0);
  });

  it('occupies a port so that binding it fails', async () => {
    await fault('occupy-port', 'app-01', 4040);
    const bind = await labExec('app-01', ['timeout', '2', 'busybox', 'nc', '-l', '-p', '4040']);
    expect(bind.exitCode).toBe(1);
    expect(bind.stderr).toMatch(/address already in use/i);
    const publish = await labExec(
      'app-01',
      ['docker', 'run', '--rm', '-p', '4040:4040', '--entrypoint', 'true', 'grafana/pyroscope:1.14.0'],
      { timeoutMs: 60_000 },
    );
    expect(publish.exitCode).not.toBe(0);
    expect(publish.stderr).toMatch(/address already in use/i);
  });

  it('stops a Docker engine: its socket no longer answers, and reset brings it back', async () => {
    await fault('stop-docker', 'db-01');
    const version = await labExec('db-01', ['docker', 'version', '--format', '{{.Server.Version}}']);
    expect(version.exitCode).not.toBe(0);
    expect(version.stderr).toMatch(/Cannot connect to the Docker daemon|docker.sock/);
    await resetLab();
    expect((await labExec('db-01', ['docker', 'version', '--format', '{{.Server.Version}}'])).exitCode).toBe(0);
  });

  it('kills a Docker engine with SIGKILL: its socket no longer answers, up brings it back and frees its published port', async () => {
    const started = await labExec(
      'db-01',
      [
        'docker',
        'run',
        '-d',
        '--name',
        'kill-me',
        '-p',
        '9911:9000',
        '--entrypoint',
        'sleep',
        'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z',
        '600',
      ],
      { timeoutMs: 60_000 },
    );
    expect(started.exitCode, started.stderr).toBe(0);
    await fault('kill-docker', 'db-01');
    const version = await labExec('db-01', ['docker', 'version', '--format', '{{.Server.Version}}']);
    expect(version.exitCode).not.toBe(0);
    expect((await run(['bash', lab.labSh, 'status'])).stdout).toMatch(/db-01 +db +\S+ +up +down/);
    const up = await run(['bash', lab.labSh, 'up'], { timeoutMs: 120_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    expect((await labExec('db-01', ['docker', 'version', '--format', '{{.Server.Version}}'])).exitCode).toBe(0);
    await resetLab();
    // Nothing of the killed engine holds the port: a listener can bind it.
    const bind = await labExec('db-01', ['timeout', '1', 'busybox', 'nc', '-l', '-p', '9911']);
    expect(bind.stderr).not.toMatch(/address already in use/i);
  }, 180_000);

  it('stops an sshd: connections are refused', async () => {
    await fault('stop-ssh', 'target-01');
    const result = await ssh('target-01', 'true');
    expect(result.exitCode).toBe(255);
    expect(result.stderr).toContain('Connection refused');
  });

  it('makes a host look like production: prod hostname and HEAL_ENV=production over ssh', async () => {
    await fault('prod', 'web-01');
    const result = await ssh('web-01', 'hostname; cat /etc/hostname; cat /etc/environment');
    expect(result.stdout.split('\n')).toEqual(['prod-web-01', 'prod-web-01', 'HEAL_ENV=production', '']);
    expect((await ssh('app-01', 'cat /etc/environment')).stdout).toBe('');
  });

  it('rotates a host key: the key served differs from known_hosts and strict ssh refuses', async () => {
    const address = labHost('app-01').address;
    const known = readFileSync(lab.knownHosts, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${address} `))!;
    await fault('rotate-key', 'app-01');
    const scan = await run(['ssh-keyscan', '-t', 'ed25519', address]);
    const served = scan.stdout.split('\n').find((l) => l.startsWith(`${address} `))!;
    expect(served.split(' ')[2]).toMatch(/^AAAA/);
    expect(served.split(' ')[2]).not.toBe(known.split(' ')[2]);
    const result = await ssh('app-01', 'true');
    expect(result.exitCode).toBe(255);
    expect(result.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
  });

  it('slows the registry for one host only: its pull takes seconds, status names the fault', async () => {
    // Grafana's stand-in (busybox and scripts, ~1 MB): at the fault's 1 mbit a pull takes seconds,
    // where the Pyroscope stand-in, which carries node for its gRPC server, would take minutes.
    const ref = imageRef(component('grafana'));
    const pullSeconds = async (host: string) => {
      await labExec(host, ['docker', 'rmi', '-f', ref]);
      const start = Date.now();
      const pulled = await labExec(host, ['docker', 'pull', ref], { timeoutMs: 60_000 });
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      return (Date.now() - start) / 1000;
    };
    await fault('slow-registry', 'app-01');
    expect((await run(['bash', lab.labSh, 'status'])).stdout).toMatch(/app-01 .*slow-registry/);
    expect(await pullSeconds('app-01')).toBeGreaterThan(3);
    expect(await pullSeconds('db-01')).toBeLessThan(3);
  }, 90_000);

  it('fakes an x86-64-v1 CPU on one host: its /proc/cpuinfo, over ssh too, lacks the v2 flags', async () => {
    const v2 = ['sse4_2', 'popcnt', 'ssse3', 'cx16'];
    const count = async (host: string, flag: string) =>
      Number((await labExec(host, ['grep', '-c', '-w', flag, '/proc/cpuinfo'])).stdout.trim());
    for (const flag of v2) expect(await count('db-01', flag), `this machine's CPU has ${flag}`).toBeGreaterThan(0);
    await fault('cpu-v1', 'db-01');
    for (const flag of v2) expect(await count('db-01', flag), flag).toBe(0);
    const overSsh = await ssh('db-01', 'grep -c -w sse4_2 /proc/cpuinfo; grep -c ^processor /proc/cpuinfo');
    expect(overSsh.stdout.split('\n').slice(0, 2)).toEqual(['0', String(await count('app-01', 'processor'))]);
    expect(await count('app-01', 'sse4_2')).toBeGreaterThan(0);
    expect(readFileSync('/proc/cpuinfo', 'utf8')).toMatch(/\bsse4_2\b/);
    expect((await run(['bash', lab.labSh, 'status'])).stdout).toMatch(/db-01 .*cpu-v1/);
    await resetLab();
    expect(await count('db-01', 'sse4_2')).toBeGreaterThan(0);
  });

  it('undoes every fault on reset', async () => {
    await fault('drop-flow', 'app-01', 'db-01', 22);
    await fault('occupy-port', 'db-01', 9000);
    await fault('stop-docker', 'web-01');
    await fault('stop-ssh', 'target-01');
    await fault('prod', 'db-01');
    await fault('rotate-key', 'bastion-01');
    await fault('slow-registry', 'app-01');
    await fault('cpu-v1', 'web-01');
    await resetLab();
    const status = await run(['bash', lab.labSh, 'status']);
    expect(status.exitCode, status.stdout).toBe(0);
    expect(status.stdout).not.toMatch(/occupy-port|drop-flow|prod|rotate-key|slow-registry|cpu-v1/);
    for (const host of lab.hosts.filter((h) => h.tier !== 'inner')) {
      expect((await ssh(host.name, 'hostname')).stdout.trim()).toBe(host.name);
    }
    expect((await connect('app-01', 'db-01', 22)).exitCode).toBe(0);
  });
});
