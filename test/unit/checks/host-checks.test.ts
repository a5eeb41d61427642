import { describe, expect, it } from 'vitest';
import type { CheckContext, CheckResult } from '../../../src/checks/check.js';
import {
  apiAtLeast,
  archCheck,
  clockCheck,
  cpuCheck,
  diskCheck,
  dockerCheck,
  memoryCheck,
  rootCheck,
  sshCheck,
} from '../../../src/checks/host-checks.js';
import { HealError } from '../../../src/core/errors.js';
import { facts, machine } from './fixtures.js';

const ctx = {} as CheckContext;
const one = (r: CheckResult[] | Promise<CheckResult[]>) => (r as CheckResult[])[0]!;

describe('host checks', () => {
  it('reports an SSH failure with its cause and remedy', () => {
    const err = new HealError({
      code: 'ssh.auth',
      message: 'authentication failed on app-01 (tried: publickey)',
      hint: 'add the key',
    });
    const r = one(sshCheck.run(machine('app-01', ['app'], { connectError: err }), ctx));
    expect(r).toMatchObject({
      status: 'fail',
      summary: 'authentication failed on app-01 (tried: publickey)',
      remedy: 'add the key',
    });
  });

  it('passes a server reached as a user who is not root, saying that root goes through Docker', () => {
    expect(one(rootCheck.run(machine('app-01', ['app']), ctx)).status).toBe('pass');
    const heal = one(
      rootCheck.run(machine('app-01', ['app'], { facts: facts({ user: { uid: 1000, name: 'heal' } }) }), ctx),
    );
    expect(heal).toMatchObject({
      status: 'pass',
      summary: expect.stringMatching(/^connected as heal \(uid 1000\): what needs root .* through Docker; no sudo$/),
    });
    expect(one(rootCheck.run(machine('app-01', ['app'], { facts: facts({ user: null }) }), ctx)).status).toBe('skip');
  });

  it('passes a Docker engine with API 1.41 or newer and fails an older one', () => {
    expect(apiAtLeast('1.41', '1.41')).toBe(true);
    expect(apiAtLeast('1.9', '1.41')).toBe(false);
    expect(apiAtLeast('2.0', '1.41')).toBe(true);
    expect(one(dockerCheck.run(machine('a', ['app']), ctx)).status).toBe('pass');
    const old = machine('a', ['app'], {
      facts: facts({ docker: { ...facts().docker!, version: '19.03', apiVersion: '1.40' } }),
    });
    expect(one(dockerCheck.run(old, ctx))).toMatchObject({
      status: 'fail',
      remedy: 'upgrade Docker Engine to 20.10 or newer',
    });
  });

  it('fails Docker with the transport diagnosis when the engine is unusable', () => {
    const dockerError = new HealError({
      code: 'docker.not-running',
      message: 'Docker is installed on db-01 but the daemon is not running',
      hint: 'systemctl start docker',
    });
    const state = machine('db-01', ['db'], { facts: { ...facts(), docker: undefined, dockerError } });
    expect(one(dockerCheck.run(state, ctx))).toMatchObject({
      status: 'fail',
      summary: dockerError.message,
      remedy: 'systemctl start docker',
    });
  });

  it('accepts amd64 and arm64 hosts only', () => {
    expect(one(archCheck.run(machine('a', ['web'], { facts: facts({ arch: 'aarch64' }) }), ctx)).status).toBe('pass');
    expect(one(archCheck.run(machine('a', ['web'], { facts: facts({ arch: 's390x' }) }), ctx)).status).toBe('fail');
  });

  it('adds up the memory of every tier on one machine', () => {
    const small = facts({ memTotalMiB: 2048, memAvailableMiB: 2000 });
    expect(one(memoryCheck.run(machine('db', ['db'], { facts: small }), ctx)).status).toBe('pass');
    const r = one(memoryCheck.run(machine('all', ['web', 'app', 'db'], { facts: small }), ctx));
    expect(r.status).toBe('fail');
    expect(r.summary).toBe('2048 MiB total, below the 3456 MiB minimum');
  });

  it('warns when memory exists but is not available', () => {
    expect(one(memoryCheck.run(machine('a', ['app'], { facts: facts({ memAvailableMiB: 100 }) }), ctx)).status).toBe(
      'warn',
    );
  });

  it('warns about too few cores', () => {
    expect(one(cpuCheck.run(machine('a', ['app'], { facts: facts({ cpus: 1 }) }), ctx))).toMatchObject({
      status: 'warn',
      summary: '1 cores, fewer than the 3 recommended',
    });
  });

  it('measures free disk on the filesystem of the Docker root', () => {
    const full = facts({
      filesystems: [
        { mount: '/', availableKiB: 100 * 1024 * 1024 },
        { mount: '/var/lib/docker', availableKiB: 2 * 1024 * 1024 },
      ],
    });
    const r = one(diskCheck.run(machine('db', ['db'], { facts: full }), ctx));
    expect(r).toMatchObject({ status: 'fail', summary: '2.0 GiB free on /var/lib/docker, below the 10 GiB minimum' });
  });

  it('fails a full /opt, where the configuration is written, naming it', () => {
    const full = facts({
      filesystems: [
        { mount: '/', availableKiB: 100 * 1024 * 1024 },
        { mount: '/opt', availableKiB: 0 },
      ],
    });
    const r = one(diskCheck.run(machine('db', ['db'], { facts: full }), ctx));
    expect(r).toMatchObject({
      status: 'fail',
      summary: '0 MiB free on /opt, where the configuration is written (/opt/heal-pyroscope), below the 50 MiB minimum',
      remedy: 'free space on /opt on db (check with `df -h /opt`)',
    });
  });

  it('names both filesystems when the Docker root and /opt are both short', () => {
    const full = facts({
      filesystems: [
        { mount: '/var/lib/docker', availableKiB: 1024 * 1024 },
        { mount: '/opt', availableKiB: 10 * 1024 },
      ],
    });
    expect(one(diskCheck.run(machine('db', ['db'], { facts: full }), ctx)).summary).toBe(
      '1.0 GiB free on /var/lib/docker, below the 10 GiB minimum; 10 MiB free on /opt, where the configuration is written (/opt/heal-pyroscope), below the 50 MiB minimum',
    );
  });

  it('passes /opt with room for the configuration, and judges a shared filesystem by the Docker minimum alone', () => {
    const roomy = facts({
      filesystems: [
        { mount: '/', availableKiB: 100 * 1024 },
        { mount: '/var/lib/docker', availableKiB: 40 * 1024 * 1024 },
      ],
    });
    const r = one(diskCheck.run(machine('db', ['db'], { facts: roomy }), ctx));
    expect(r.status).toBe('pass');
    expect(r.evidence).toContain('/opt/heal-pyroscope is on /: 100 MiB free (minimum 50 MiB)');
    const shared = facts({ filesystems: [{ mount: '/', availableKiB: 20 * 1024 * 1024 }] });
    expect(one(diskCheck.run(machine('db', ['db'], { facts: shared }), ctx))).toMatchObject({
      status: 'pass',
      evidence: ['/var/lib/docker is on /: 20.0 GiB free', 'minimum for db: 10 GiB'],
    });
  });

  it('warns from 5 s of clock skew and fails from 10 minutes', () => {
    expect(one(clockCheck.run(machine('a', ['target'], { facts: facts({ clockSkewSeconds: 1 }) }), ctx)).status).toBe(
      'pass',
    );
    expect(
      one(clockCheck.run(machine('a', ['target'], { facts: facts({ clockSkewSeconds: -7 }) }), ctx)),
    ).toMatchObject({ status: 'warn', summary: '-7 s against this machine' });
    expect(
      one(clockCheck.run(machine('a', ['target'], { facts: facts({ clockSkewSeconds: 3600 }) }), ctx)).status,
    ).toBe('fail');
  });

  it('names the broken promise when a check that reads facts runs without them', () => {
    expect(() => memoryCheck.run(machine('a', ['app'], { facts: undefined }), ctx)).toThrow(
      'the facts of a were not read before its checks',
    );
    const noEngine = machine('a', ['app'], { facts: { ...facts(), docker: undefined } });
    expect(() => diskCheck.run(noEngine, ctx)).toThrow('a check that needs Docker ran on a, whose engine is unusable');
  });
});
