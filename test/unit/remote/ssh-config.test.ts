import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  openSshReader,
  parseSshG,
  UNSET_IDENTITY,
  UNSET_USER,
  wrapperText,
} from '../../../src/remote/openssh-config.js';
import {
  computeHost,
  expandIncludes,
  parserReader,
  type ExpandContext,
} from '../../../src/remote/ssh-config-parser.js';
import {
  expandTokens,
  jumpHopNames,
  lookupSshConfig,
  parseJumpSpec,
  refuseLooseUserConfig,
  sshConfigSource,
} from '../../../src/remote/ssh-config.js';
import { configFile, hasSsh } from '../support/ssh-config-files.js';

// What `ssh -G -F wrapper app` prints (abridged) for a host whose config sets everything.
const SET_EVERYTHING = `user deploy
hostname 10.213.0.12
port 2201
identitiesonly yes
identityfile ~/.ssh/app_%r
identityfile ~/.ssh/second
identityfile ${UNSET_IDENTITY}
certificatefile ~/.ssh/app-cert.pub
proxyjump ops@bastion:2200,inner
forwardagent no
`;
// ... and for a host it says nothing of: only the wrapper's markers and OpenSSH's defaults.
const SET_NOTHING = `user ${UNSET_USER}
hostname plain
port 22
identitiesonly no
identityfile ${UNSET_IDENTITY}
`;

describe('reading `ssh -G` output', () => {
  it('keeps HostName, Port, User, IdentityFile (all of them), IdentitiesOnly, CertificateFile and ProxyJump', () => {
    expect(parseSshG(SET_EVERYTHING)).toEqual({
      user: 'deploy',
      hostName: '10.213.0.12',
      port: 2201,
      identitiesOnly: true,
      identityFiles: ['~/.ssh/app_%r', '~/.ssh/second'],
      certificateFiles: ['~/.ssh/app-cert.pub'],
      proxyJump: 'ops@bastion:2200,inner',
    });
  });

  it('drops the markers and port 22: what the config leaves unset is not reported as set', () => {
    expect(parseSshG(SET_NOTHING)).toEqual({
      hostName: 'plain',
      identitiesOnly: false,
      identityFiles: [],
      certificateFiles: [],
    });
  });

  it('reads a ProxyCommand, and ProxyJump none as no jump', () => {
    expect(parseSshG('proxyjump none\nproxycommand nc %h %p\n')).toMatchObject({ proxyCommand: 'nc %h %p' });
    expect(parseSshG('proxyjump none\n').proxyJump).toBeUndefined();
  });

  it('includes the system file only when no file was named (as ssh -F)', () => {
    const named = wrapperText({ file: '/etc/heal/ssh_config', explicit: true, home: '/home/me' });
    expect(named).toContain('Include "/etc/heal/ssh_config"');
    expect(named).not.toContain('/etc/ssh/ssh_config');
    const usual = wrapperText({ file: '/home/me/.ssh/config', explicit: false, home: '/home/me' });
    expect(usual.split('\n').filter((l) => l.startsWith('Include'))).toEqual([
      'Include "/home/me/.ssh/config"',
      'Include "/etc/ssh/ssh_config"',
    ]);
    // The markers come last, so any value the config sets comes first and wins.
    expect(usual.trimEnd().split('\n').slice(-3)).toEqual([
      'Host *',
      `  User ${UNSET_USER}`,
      `  IdentityFile ${UNSET_IDENTITY}`,
    ]);
  });

  it('refuses, as ssh does, a ~/.ssh/config that other users may write', () => {
    const uid = process.getuid?.() ?? 0;
    expect(() => refuseLooseUserConfig('/home/me/.ssh/config', () => ({ mode: 0o100664, uid }))).toThrow(
      expect.objectContaining({ code: 'config.ssh-config.permissions', exitCode: 2 }),
    );
    expect(() => refuseLooseUserConfig('/home/me/.ssh/config', () => ({ mode: 0o100644, uid }))).not.toThrow();
    expect(() => refuseLooseUserConfig('/home/me/.ssh/config', () => undefined)).not.toThrow();
  });

  it('refuses an ssh.configFile that does not exist, exit 2', () => {
    expect(() => sshConfigSource('/nonexistent/ssh_config')).toThrow(
      expect.objectContaining({ code: 'config.ssh-config.missing', exitCode: 2 }),
    );
  });
});

describe.skipIf(!hasSsh)('OpenSSH itself (ssh -G on this machine)', () => {
  const local = userInfo().username;
  const path = configFile(
    `Include DIR/more.conf
Host app
  HostName 10.213.0.12
  Port 2201
  User ${local}
  IdentityFile ~/.ssh/app_key
Match host 10.213.0.12
  IdentitiesOnly yes
Host *
  ProxyJump none
`,
    { 'more.conf': 'Host extra\n  HostName 10.0.0.7\n  User from-include\n' },
  );

  it('reports a User equal to the local user as set, and HostName, Port, IdentityFile and a Match on the HostName', async () => {
    const reader = await openSshReader(sshConfigSource(path));
    try {
      expect(await reader.host('app')).toEqual({
        hostName: '10.213.0.12',
        port: 2201,
        user: local,
        identityFiles: ['~/.ssh/app_key'],
        identitiesOnly: true,
        certificateFiles: [],
      });
      expect(await reader.host('extra')).toMatchObject({ hostName: '10.0.0.7', user: 'from-include' });
      expect(await reader.host('other')).toEqual({ identityFiles: [], identitiesOnly: false, certificateFiles: [] });
    } finally {
      await reader.close();
    }
  });

  it('names the bad line of a config ssh cannot read, exit 2', async () => {
    const reader = await openSshReader(sshConfigSource(configFile('Host x\n  NoSuchOption yes\n')));
    try {
      await expect(reader.host('x')).rejects.toMatchObject({
        code: 'config.ssh-config.invalid',
        exitCode: 2,
        message: expect.stringMatching(/line 2.*NoSuchOption/i),
      });
    } finally {
      await reader.close();
    }
  });

  it('passes the alias as one argument: a leading dash is not an option', async () => {
    const reader = await openSshReader(sshConfigSource(configFile('Host *\n  User u\n')));
    try {
      await expect(reader.host('-oProxyCommand=touch /tmp/hp-should-not-exist')).rejects.toMatchObject({
        message: expect.stringMatching(/invalid characters/),
      });
    } finally {
      await reader.close();
    }
  });

  it('follows ProxyJump to look the jump hosts up too', async () => {
    const lookup = await lookupSshConfig(
      ['inner'],
      sshConfigSource(configFile('Host inner\n  ProxyJump ops@bastion:2200\nHost bastion\n  HostName 10.213.0.5\n')),
    );
    expect(lookup.reader).toBe('ssh -G');
    expect(lookup.of('bastion')).toMatchObject({ hostName: '10.213.0.5' });
  });

  it("reuses an earlier lookup of the same file (the settings' one, when connecting): only new aliases are read", async () => {
    const path = configFile('Host app\n  HostName 10.0.0.12\n  ProxyJump bastion\nHost bastion\n  HostName 10.0.0.5\n');
    const gathered = await lookupSshConfig(['app'], sshConfigSource(path));
    expect(gathered.has('bastion')).toBe(true);
    // The file changes under the run: hosts already read keep their answers, a new one is read now.
    writeFileSync(path, 'Host *\n  HostName 10.9.9.9\n');
    const connecting = await lookupSshConfig(['APP', 'db'], sshConfigSource(path), gathered);
    expect(connecting.of('app')).toMatchObject({ hostName: '10.0.0.12', proxyJump: 'bastion' });
    expect(connecting.of('bastion')).toMatchObject({ hostName: '10.0.0.5' });
    expect(connecting.of('db')).toMatchObject({ hostName: '10.9.9.9' });
    expect(connecting.reader).toBe('ssh -G');
    // Another file is read afresh.
    const other = await lookupSshConfig(
      ['app'],
      sshConfigSource(configFile('Host *\n  HostName 10.8.8.8\n')),
      gathered,
    );
    expect(other.of('app')).toMatchObject({ hostName: '10.8.8.8' });
  });
});

describe('the ssh-config parser (no OpenSSH client)', () => {
  it('is the reader when no ssh is on PATH', async () => {
    const path = configFile('Host app\n  HostName 10.0.0.12\n  User deploy\n  IdentityFile ~/.ssh/app\n');
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const lookup = await lookupSshConfig(['app'], sshConfigSource(path));
      expect(lookup.reader).toBe('ssh-config parser');
      expect(lookup.notes[0]).toMatch(/read by the ssh-config parser \(no OpenSSH client on PATH\)/);
      expect(lookup.of('app')).toEqual({
        hostName: '10.0.0.12',
        user: 'deploy',
        identityFiles: ['~/.ssh/app'],
        identitiesOnly: false,
        certificateFiles: [],
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  const files: Record<string, string> = {
    '/home/me/.ssh/conf.d/a.conf': 'Host a\n  HostName 10.0.0.1\n',
    '/home/me/.ssh/conf.d/b.conf': 'Port 2000\nHost b\n  HostName 10.0.0.2\n',
  };
  const ctx = (): ExpandContext => ({
    includeBase: '/home/me/.ssh',
    home: '/home/me',
    read: (p) => files[p] ?? '',
    glob: (p) =>
      p.endsWith('*')
        ? Object.keys(files)
            .filter((f) => f.startsWith(p.slice(0, -1)))
            .sort()
        : p in files
          ? [p]
          : [],
    notes: new Set(),
  });

  it('reads an Include (relative to ~/.ssh, with a wildcard) where it stands', () => {
    const text = expandIncludes('Include conf.d/*\nHost *\n  User all\n', ctx());
    expect(computeHost(text, 'a')).toMatchObject({ hostName: '10.0.0.1', user: 'all' });
    // A line before the included file's first Host applies to every host, as at the top of the file.
    expect(computeHost(text, 'z')).toMatchObject({ port: 2000, user: 'all' });
  });

  it("keeps an Include inside a Host block to that block, and the block's later lines in it", () => {
    const text = expandIncludes('Host b\n  Include conf.d/b.conf\n  User bee\nHost *\n  User other\n', ctx());
    expect(computeHost(text, 'b')).toMatchObject({ hostName: '10.0.0.2', port: 2000, user: 'bee' });
    expect(computeHost(text, 'x')).toMatchObject({ user: 'other' });
    expect(computeHost(text, 'x').port).toBeUndefined();
  });

  it('evaluates Match host and user, takes the first value, accumulates IdentityFile', () => {
    const text =
      'Host app\n  HostName 10.0.0.12\n  IdentityFile ~/k1\nMatch host 10.0.0.12\n  User matched\n  IdentityFile ~/k2\nHost *\n  User late\n';
    expect(computeHost(text, 'app')).toEqual({
      hostName: '10.0.0.12',
      user: 'matched',
      identityFiles: ['~/k1', '~/k2'],
      identitiesOnly: false,
      certificateFiles: [],
    });
  });

  it('honours negated patterns, ? wildcards, Keyword=value and quoted paths', () => {
    const text = 'Host * !web\n  User x\nHost w?b\n  Port 2022\nHost=app\n  IdentityFile "~/with space/k"\n';
    expect(computeHost(text, 'web')).toEqual({
      port: 2022,
      identityFiles: [],
      identitiesOnly: false,
      certificateFiles: [],
    });
    expect(computeHost(text, 'app')).toMatchObject({ user: 'x', identityFiles: ['~/with space/k'] });
  });

  it('does not run Match exec (its block does not apply) and says so', () => {
    const c = ctx();
    const text = expandIncludes('Match exec "true"\n  User from-exec\n', c);
    expect(computeHost(text, 'x').user).toBeUndefined();
    expect([...c.notes].join()).toMatch(/Match exec/);
  });

  it('reports nothing set for a host the file does not mention (no OpenSSH defaults)', async () => {
    const reader = await parserReader(
      { file: '/home/me/.ssh/config', explicit: true, home: '/home/me' },
      () => 'Host app\n  User u\n',
    );
    expect(await reader.host('web')).toEqual({ identityFiles: [], identitiesOnly: false, certificateFiles: [] });
    expect(await reader.host('app')).toMatchObject({ user: 'u' });
    expect(reader.name).toBe('ssh-config parser');
  });
});

describe('parseJumpSpec', () => {
  it('reads [user@]host[:port]', () => {
    expect(parseJumpSpec('ops@bastion-01:2200')).toEqual({ user: 'ops', host: 'bastion-01', port: 2200 });
    expect(parseJumpSpec('bastion-01')).toEqual({ host: 'bastion-01' });
    expect(parseJumpSpec('ssh://ops@[fe80::1]:22')).toEqual({ user: 'ops', host: 'fe80::1', port: 22 });
  });

  it('names the hosts of a ProxyJump list', () => {
    expect(jumpHopNames('a, ops@b:2222')).toEqual(['a', 'b']);
  });
});

describe('expandTokens', () => {
  it('expands ~, %h, %r, %u, %d, %p, %n and %%', () => {
    const tokens = { h: 'web-01', r: 'root', u: 'me', d: '/home/me', p: 2222, n: 'web' };
    expect(expandTokens('~/.ssh/%h_%r_%u', tokens)).toBe('/home/me/.ssh/web-01_root_me');
    expect(expandTokens('%d/100%%', tokens)).toBe('/home/me/100%');
    expect(expandTokens('~/.ssh/%n-%p', tokens)).toBe('/home/me/.ssh/web-2222');
  });
});
