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
  hosts: {
    targets: ['t-file'],
    web: 'web-file',
    app: 'app-file',
    db: { host: 'db-file', user: 'dbadmin', port: 2200 },
  },
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
    // No port set: ssh_config's Port decides when connecting, else 22 (resolve-target.ts).
    expect(r.topology?.web.ssh.port).toBeUndefined();
    expect(r.topology?.web.dockerSocket).toBe('/var/run/docker.sock');
    expect(r.topology?.grafanaPort).toBe(3000);
    expect(r.topology?.web.ssh.knownHostsFile).toBe(`${homedir()}/.ssh/known_hosts`);
    expect(r.topology?.guard).toEqual(DEFAULT_GUARD_RULES);
  });

  it('lets a host entry override the SSH defaults', () => {
    const r = resolveTopology({}, file, {}, ctx);
    expect(r.topology?.db.ssh).toMatchObject({ user: 'dbadmin', port: 2200 });
    expect(r.topology?.web.ssh).toMatchObject({ user: 'deploy', port: undefined });
  });

  it("takes ssh_config's User and IdentityFile for ssh.user and a key, only when every host has them", () => {
    const sshConfig = (host: string) =>
      host.startsWith('alias-') ? { user: 'ops', identityFiles: ['~/.ssh/ops'] } : { identityFiles: [] };
    const hosts = { environment: 'qa', targets: ['alias-t'], web: 'alias-w', app: 'alias-w', db: 'alias-d' };
    const all = resolveTopology(hosts, undefined, {}, { cwd: '/', sshConfig });
    expect(all.missing).toEqual([]);
    expect(all.topology?.web.ssh).toMatchObject({ user: undefined, identityFile: undefined, port: undefined });
    const one = resolveTopology({ ...hosts, targets: ['alias-t', '10.0.0.9'] }, undefined, {}, { cwd: '/', sshConfig });
    expect(one.missing.map((m) => m.key)).toEqual(['sshUser', 'sshAuth']);
  });

  it('gives an alias its HostName as the address other hosts and containers use, and keeps the alias for SSH and output', () => {
    const sshConfig = (host: string) =>
      host === 'hp-db' ? { hostName: '10.0.0.13', user: 'ops', identityFiles: ['~/k'] } : { identityFiles: [] };
    const r = resolveTopology({ db: 'hp-db' }, file, {}, { ...ctx, sshConfig });
    expect(r.topology?.db).toMatchObject({ name: 'hp-db', host: '10.0.0.13', sshAlias: 'hp-db' });
    expect(r.topology?.web).toMatchObject({ name: 'web-file', host: 'web-file' });
    expect(r.topology?.web.sshAlias).toBeUndefined();
  });

  it('reads the long form of a jump host, its key relative to the config file', () => {
    const withJump: ConfigFile = {
      ...file,
      ssh: { ...file.ssh, jumpHost: { host: 'bastion', user: 'jump', port: 2222, identityFile: 'keys/bastion' } },
    };
    const r = resolveTopology({}, withJump, {}, ctx);
    expect(r.topology?.web.ssh.jumpHost).toEqual({
      host: 'bastion',
      user: 'jump',
      port: 2222,
      identityFile: '/etc/heal/keys/bastion',
    });
    expect(resolveTopology({ jumpHost: 'ops@b2:22' }, withJump, {}, ctx).topology?.web.ssh.jumpHost).toBe('ops@b2:22');
  });

  it('reads ssh.configFile relative to the config file, --ssh-config relative to the cwd', () => {
    expect(
      resolveTopology({}, { ...file, ssh: { ...file.ssh, configFile: 'ssh_config' } }, {}, ctx).topology?.web.ssh
        .configFile,
    ).toBe('/etc/heal/ssh_config');
    expect(resolveTopology({ sshConfigFile: 'my_ssh' }, file, {}, ctx).topology?.web.ssh.configFile).toBe(
      '/work/ops/my_ssh',
    );
  });

  it('resolves paths in the file against the file and paths in flags against the cwd', () => {
    expect(resolveTopology({}, file, {}, ctx).topology?.web.ssh.identityFile).toBe('/etc/heal/keys/id_ed25519');
    expect(resolveTopology({ identityFile: 'mykey' }, file, {}, ctx).topology?.web.ssh.identityFile).toBe(
      '/work/ops/mykey',
    );
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
    expect(
      resolveTopology(input, undefined, {}, { cwd: '/', agentSocket: '/tmp/agent.sock' }).topology?.web.ssh.agent,
    ).toBe(true);
  });

  it('replaces a default guard list with the configured one and keeps the others', () => {
    const r = resolveTopology({}, { ...file, guard: { hostnamePatterns: ['^live-'] } }, {}, ctx);
    expect(r.topology?.guard.hostnamePatterns).toEqual(['^live-']);
    expect(r.topology?.guard.environmentVariables).toEqual(DEFAULT_GUARD_RULES.environmentVariables);
  });

  it('keeps one entry per tier, web, app and db on one machine included', () => {
    const r = resolveTopology({ ...complete, web: 'one', app: 'one', db: 'one' }, undefined, {}, { cwd: '/' });
    expect(hostsOf(r.topology!).map((h) => `${h.tier}:${h.host}`)).toEqual([
      'target:t-ans',
      'web:one',
      'app:one',
      'db:one',
    ]);
  });
});
