import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveTopology } from '../../../src/config/resolve.js';
import type { TopologyInput } from '../../../src/config/settings.js';
import type { ConfigFile } from '../../../src/config/schema.js';
import { hostsOf } from '../../../src/config/topology.js';
import { DEFAULT_GUARD_RULES } from '../../../src/guard/rules.js';

const ctx = { cwd: '/work/ops', configPath: '/etc/heal/heal-pyroscope.yaml' };
const file: ConfigFile = {
  environment: 'staging',
  ssh: { user: 'deploy', identityFile: 'keys/id_ed25519' },
  hosts: { targets: ['t-file'], web: 'web-file', app: 'app-file', db: { host: 'db-file', user: 'dbadmin', port: 2200 } },
};
const complete: TopologyInput = {
  environment: 'qa',
  targets: ['t-ans'],
  web: 'web-ans',
  app: 'app-ans',
  db: 'db-ans',
  sshUser: 'asked',
  identityFile: '/k',
};

describe('topology resolution', () => {
  it('prefers flags over the config file', () => {
    const r = resolveTopology({ web: 'web-flag', sshUser: 'flaguser' }, file, {}, ctx);
    expect(r.topology?.web.host).toBe('web-flag');
    expect(r.topology?.web.ssh.user).toBe('flaguser');
    expect(r.topology?.app.host).toBe('app-file');
  });

  it('prefers the config file over prompt answers', () => {
    const r = resolveTopology({}, file, complete, ctx);
    expect(r.topology?.environment).toBe('staging');
    expect(r.topology?.targets.map((t) => t.host)).toEqual(['t-file']);
    expect(r.topology?.web.ssh.user).toBe('deploy');
  });

  it('uses prompt answers for what flags and file leave open', () => {
    const r = resolveTopology({ web: 'web-flag' }, undefined, complete, { cwd: '/work/ops' });
    expect(r.topology?.web.host).toBe('web-flag');
    expect(r.topology?.app.host).toBe('app-ans');
    expect(r.topology?.environment).toBe('qa');
  });

  it('applies defaults last', () => {
    const r = resolveTopology({}, file, {}, ctx);
    expect(r.topology?.web.ssh.port).toBe(22);
    expect(r.topology?.web.dockerSocket).toBe('/var/run/docker.sock');
    expect(r.topology?.grafanaPort).toBe(3000);
    expect(r.topology?.web.ssh.knownHostsFile).toBe(`${homedir()}/.ssh/known_hosts`);
    expect(r.topology?.guard).toEqual(DEFAULT_GUARD_RULES);
  });

  it('lets a host entry override the SSH defaults', () => {
    const r = resolveTopology({}, file, {}, ctx);
    expect(r.topology?.db.ssh).toMatchObject({ user: 'dbadmin', port: 2200 });
    expect(r.topology?.web.ssh).toMatchObject({ user: 'deploy', port: 22 });
  });

  it('resolves paths in the file against the file and paths in flags against the cwd', () => {
    expect(resolveTopology({}, file, {}, ctx).topology?.web.ssh.identityFile).toBe('/etc/heal/keys/id_ed25519');
    expect(resolveTopology({ identityFile: 'mykey' }, file, {}, ctx).topology?.web.ssh.identityFile).toBe('/work/ops/mykey');
  });

  it('lists every missing value with its flag and config key', () => {
    const r = resolveTopology({}, undefined, {}, { cwd: '/' });
    expect(r.topology).toBeNull();
    expect(r.missing.map((m) => `${m.flag} | ${m.configKey}`)).toEqual([
      '--environment NAME | environment',
      '--target HOST | hosts.targets',
      '--web HOST | hosts.web',
      '--app HOST | hosts.app',
      '--db HOST | hosts.db',
      '--ssh-user USER | ssh.user',
      '--identity-file PATH or --ssh-agent | ssh.identityFile or ssh.agent',
    ]);
  });

  it('uses a running agent when no key file is given', () => {
    const input = { ...complete, identityFile: undefined };
    expect(resolveTopology(input, undefined, {}, { cwd: '/' }).missing.map((m) => m.key)).toEqual(['sshAuth']);
    expect(resolveTopology(input, undefined, {}, { cwd: '/', agentSocket: '/tmp/agent.sock' }).topology?.web.ssh.agent).toBe(true);
  });

  it('replaces a default guard list with the configured one and keeps the others', () => {
    const r = resolveTopology({}, { ...file, guard: { hostnamePatterns: ['^live-'] } }, {}, ctx);
    expect(r.topology?.guard.hostnamePatterns).toEqual(['^live-']);
    expect(r.topology?.guard.environmentVariables).toEqual(DEFAULT_GUARD_RULES.environmentVariables);
  });

  it('keeps one entry per tier, web, app and db on one machine included', () => {
    const r = resolveTopology({ ...complete, web: 'one', app: 'one', db: 'one' }, undefined, {}, { cwd: '/' });
    expect(hostsOf(r.topology!).map((h) => `${h.tier}:${h.host}`)).toEqual(['target:t-ans', 'web:one', 'app:one', 'db:one']);
  });
});
