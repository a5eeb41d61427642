import { describe, expect, it } from 'vitest';
import type { ResolveContext } from '../../../src/remote/resolve-target.js';
import { resolveTarget } from '../../../src/remote/resolve-target.js';
import { parseSshConfig } from '../../../src/remote/ssh-config.js';

function context(config: string, existing: string[] = []): ResolveContext {
  return { sshConfig: parseSshConfig(config), home: '/home/me', localUser: 'me', fileExists: (p) => existing.includes(p) };
}

const CONFIG = `
Host app
  HostName 10.213.0.12
  User deploy
  Port 2201
  IdentityFile ~/.ssh/app_%r

Host inner-01
  HostName 10.214.0.2
  ProxyJump bastion

Host bastion
  HostName 10.213.0.5
  User ops

Host loop-a
  ProxyJump loop-b
Host loop-b
  ProxyJump loop-a
`;

describe('resolveTarget', () => {
  it('fills HostName, User, Port and IdentityFile from ~/.ssh/config for an alias', () => {
    const t = resolveTarget({ name: 'app-01', host: 'app' }, context(CONFIG));
    expect(t).toMatchObject({ host: '10.213.0.12', user: 'deploy', port: 2201, identityFiles: ['/home/me/.ssh/app_deploy'] });
  });

  it('lets explicit settings win over the config', () => {
    const t = resolveTarget({ name: 'app-01', host: 'app', user: 'root', port: 22, identityFiles: ['/k'] }, context(CONFIG));
    expect(t).toMatchObject({ user: 'root', port: 22, identityFiles: ['/k'] });
  });

  it("uses OpenSSH's defaults: port 22, the local user, ~/.ssh/known_hosts, existing default keys", () => {
    const t = resolveTarget({ name: 'x', host: '10.0.0.9' }, context('', ['/home/me/.ssh/id_ed25519']));
    expect(t).toMatchObject({
      host: '10.0.0.9',
      port: 22,
      user: 'me',
      knownHostsFile: '/home/me/.ssh/known_hosts',
      identityFiles: ['/home/me/.ssh/id_ed25519'],
      dockerSocket: '/var/run/docker.sock',
    });
  });

  it('follows ProxyJump to a bastion resolved by its own config entry', () => {
    const t = resolveTarget({ name: 'inner-01', host: 'inner-01', knownHostsFile: '/kh' }, context(CONFIG));
    expect(t.jump).toMatchObject({ name: 'bastion', host: '10.213.0.5', user: 'ops', knownHostsFile: '/kh' });
  });

  it('chains a ProxyJump list: the last element is the nearest jump', () => {
    const t = resolveTarget({ name: 'x', host: '10.0.0.9', jump: 'a@first:2200,second' }, context(''));
    expect(t.jump).toMatchObject({ host: 'second', jump: { host: 'first', user: 'a', port: 2200 } });
    expect(t.jump?.jump?.jump).toBeUndefined();
  });

  it('lets jump "none" switch off a ProxyJump from the config', () => {
    expect(resolveTarget({ name: 'inner-01', host: 'inner-01', jump: 'none' }, context(CONFIG)).jump).toBeUndefined();
  });

  it('stops a ProxyJump loop with a clear error', () => {
    expect(() => resolveTarget({ name: 'loop', host: 'loop-a' }, context(CONFIG))).toThrow(/loops/);
  });
});
