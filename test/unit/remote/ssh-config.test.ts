import { describe, expect, it } from 'vitest';
import { expandTokens, hostPatternsMatch, lookupSshConfig, parseJumpSpec, parseSshConfig, splitConfigLine } from '../../../src/remote/ssh-config.js';

const CONFIG = `
# global defaults come first in the file but lose to nothing: first value wins
IdentityFile ~/.ssh/global_key

Host web-?? !web-99
  HostName %h.lab
  User deploy

Host web-01
  HostName 10.213.0.11
  Port 2222
  User someone-else
  IdentityFile ~/.ssh/web01_key

Host inner-*
  ProxyJump ops@bastion-01:2200

Match user root
  User should-be-ignored

Host *
  User fallback
  Port 22
`;

describe('splitConfigLine', () => {
  it('accepts "Keyword value", "Keyword=value" and quoted arguments', () => {
    expect(splitConfigLine('  HostName 10.0.0.1')).toEqual({ keyword: 'hostname', args: ['10.0.0.1'] });
    expect(splitConfigLine('Port=2222')).toEqual({ keyword: 'port', args: ['2222'] });
    expect(splitConfigLine('IdentityFile "/keys/my key"')).toEqual({ keyword: 'identityfile', args: ['/keys/my key'] });
  });

  it('skips comments and blank lines', () => {
    expect(splitConfigLine('# Host x')).toBeNull();
    expect(splitConfigLine('   ')).toBeNull();
  });
});

describe('hostPatternsMatch', () => {
  it('matches * and ? and is case-insensitive', () => {
    expect(hostPatternsMatch(['web-??'], 'WEB-01')).toBe(true);
    expect(hostPatternsMatch(['*'], 'anything')).toBe(true);
    expect(hostPatternsMatch(['db-?'], 'db-01')).toBe(false);
  });

  it('lets a negated pattern exclude a host the others match', () => {
    expect(hostPatternsMatch(['web-??', '!web-99'], 'web-99')).toBe(false);
  });

  it('does not match with only a negated pattern', () => {
    expect(hostPatternsMatch(['!web-99'], 'web-01')).toBe(false);
  });
});

describe('lookupSshConfig', () => {
  const blocks = parseSshConfig(CONFIG);

  it('takes the first value found for each keyword', () => {
    const values = lookupSshConfig(blocks, 'web-01');
    expect(values.user).toBe('deploy');
    expect(values.hostName).toBe('%h.lab');
    expect(values.port).toBe(2222);
  });

  it('accumulates IdentityFile in file order', () => {
    expect(lookupSshConfig(blocks, 'web-01').identityFiles).toEqual(['~/.ssh/global_key', '~/.ssh/web01_key']);
  });

  it('skips a block whose negated pattern matches', () => {
    const values = lookupSshConfig(blocks, 'web-99');
    expect(values.user).toBe('fallback');
    expect(values.hostName).toBeUndefined();
  });

  it('reads ProxyJump', () => {
    expect(lookupSshConfig(blocks, 'inner-01').proxyJump).toBe('ops@bastion-01:2200');
  });

  it('ignores Match blocks instead of guessing their conditions', () => {
    expect(lookupSshConfig(blocks, 'db-01').user).toBe('fallback');
  });

  it('ignores an invalid port', () => {
    expect(lookupSshConfig(parseSshConfig('Port 99999\n'), 'x').port).toBeUndefined();
  });
});

describe('parseJumpSpec', () => {
  it('reads [user@]host[:port]', () => {
    expect(parseJumpSpec('ops@bastion-01:2200')).toEqual({ user: 'ops', host: 'bastion-01', port: 2200 });
    expect(parseJumpSpec('bastion-01')).toEqual({ host: 'bastion-01' });
    expect(parseJumpSpec('ssh://ops@[fe80::1]:22')).toEqual({ user: 'ops', host: 'fe80::1', port: 22 });
  });
});

describe('expandTokens', () => {
  it('expands ~, %h, %r, %u, %d and %%', () => {
    const tokens = { h: 'web-01', r: 'root', u: 'me', d: '/home/me' };
    expect(expandTokens('~/.ssh/%h_%r_%u', tokens)).toBe('/home/me/.ssh/web-01_root_me');
    expect(expandTokens('%d/100%%', tokens)).toBe('/home/me/100%');
  });
});
