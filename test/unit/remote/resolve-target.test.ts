import { describe, expect, it } from 'vitest';
import type { ResolveContext } from '../../../src/remote/resolve-target.js';
import { namedIdentityFiles, resolveTarget } from '../../../src/remote/resolve-target.js';
import { computeHost } from '../../../src/remote/ssh-config-parser.js';

// ssh_config as the parser computes it (ssh -G gives the same shape: ssh-config.test.ts).
function context(config: string, existing: string[] = []): ResolveContext {
  return {
    sshConfig: (alias) => computeHost(config, alias),
    home: '/home/me',
    localUser: 'me',
    fileExists: (p) => existing.includes(p),
  };
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
    expect(t).toMatchObject({
      host: '10.213.0.12',
      user: 'deploy',
      port: 2201,
      identityFiles: ['/home/me/.ssh/app_deploy'],
    });
  });

  it("lets explicit settings win over the config, and tries an explicit key before the config's (as ssh -i)", () => {
    const t = resolveTarget(
      { name: 'app-01', host: 'app', user: 'root', port: 22, identityFiles: ['/k'] },
      context(CONFIG),
    );
    expect(t).toMatchObject({ user: 'root', port: 22, identityFiles: ['/k', '/home/me/.ssh/app_root'] });
  });

  it("takes the config's Port when the tool sets none", () => {
    expect(resolveTarget({ name: 'app-01', host: 'app', user: 'root' }, context(CONFIG)).port).toBe(2201);
    expect(resolveTarget({ name: 'x', host: 'unknown' }, context(CONFIG)).port).toBe(22);
  });

  it('marks default keys as defaults: only named keys are checked before connecting', () => {
    const plain = resolveTarget({ name: 'x', host: '10.0.0.9' }, context('', ['/home/me/.ssh/id_ed25519']));
    expect(plain.defaultIdentities).toBe(true);
    expect(namedIdentityFiles(plain)).toEqual([]);
    const named = resolveTarget({ name: 'app-01', host: 'app' }, context(CONFIG));
    expect(namedIdentityFiles(named)).toEqual(['/home/me/.ssh/app_deploy']);
  });

  it("gives a jump host's long form its own user, port and key, and offers the hosts' key after it", () => {
    const t = resolveTarget(
      {
        name: 'inner-01',
        host: '10.214.0.2',
        identityFiles: ['/hosts-key'],
        jump: { name: 'bastion-01', host: '10.213.0.5', user: 'jump', port: 2222, identityFiles: ['/jump-key'] },
      },
      context(''),
    );
    expect(t.jump).toMatchObject({
      host: '10.213.0.5',
      user: 'jump',
      port: 2222,
      identityFiles: ['/jump-key', '/hosts-key'],
    });
    expect(namedIdentityFiles(t)).toEqual(['/hosts-key', '/jump-key']);
  });

  it("offers the hosts' key to a ProxyJump bastion too, after the bastion's own", () => {
    const t = resolveTarget(
      { name: 'inner-01', host: 'inner-01', identityFiles: ['/hosts-key'] },
      context(`${CONFIG}\nHost bastion\n  IdentityFile /bastion-key\n`),
    );
    expect(t.jump?.identityFiles).toEqual(['/bastion-key', '/hosts-key']);
  });

  it('passes IdentitiesOnly and CertificateFile on to the transport', () => {
    const t = resolveTarget(
      { name: 'c', host: 'c' },
      context('Host c\n  IdentityFile ~/k\n  IdentitiesOnly yes\n  CertificateFile ~/k-cert.pub\n'),
    );
    expect(t).toMatchObject({
      identitiesOnly: true,
      certificateFiles: ['/home/me/k-cert.pub'],
      identityFiles: ['/home/me/k'],
    });
  });

  it('refuses a ProxyCommand it cannot run (exit 2), unless a jump host is set', () => {
    const config = 'Host p\n  ProxyCommand nc %h %p\n';
    expect(() => resolveTarget({ name: 'p', host: 'p' }, context(config))).toThrow(
      expect.objectContaining({ code: 'config.ssh.proxy-command', exitCode: 2 }),
    );
    expect(resolveTarget({ name: 'p', host: 'p', jump: 'b' }, context(config)).jump?.host).toBe('b');
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
