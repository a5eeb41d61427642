import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  entryMatchesHost,
  formatKnownHostsLine,
  hashedNameMatches,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  patternListMatches,
} from '../../../src/remote/known-hosts.js';

const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIFJFAzO5XJph5jweYdma8KLIfIYyrDYZiBCjNZWvOYyo';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIK0Ma746fi0f9UwgBDBheknlHjy0VyALmShUo6B46HSM';
// Written by `ssh-keygen -H` for `[10.213.0.11]:2222` with KEY_A.
const HASHED = '|1|03126A84qa9iHZARK/2rXe8dnI0=|NTFvDRwEI0UZTRAk1yD7J7K41PA=';

describe('parseKnownHosts', () => {
  it('reads hosts, key type and key with 1-based line numbers, skipping comments and blanks', () => {
    const entries = parseKnownHosts(`# comment\n\nweb-01,10.213.0.11 ssh-ed25519 ${KEY_A} root@web\n`);
    expect(entries).toEqual([
      { line: 3, marker: null, hosts: 'web-01,10.213.0.11', keyType: 'ssh-ed25519', key: KEY_A },
    ]);
  });

  it('reads @revoked and @cert-authority markers', () => {
    const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${KEY_B}\n@cert-authority *.lab ssh-ed25519 ${KEY_A}`);
    expect(entries.map((e) => e.marker)).toEqual(['@revoked', '@cert-authority']);
  });

  it('skips malformed lines and unknown markers instead of failing', () => {
    expect(parseKnownHosts('just-a-host\n@weird host ssh-ed25519 AAAA\n')).toEqual([]);
  });
});

describe('knownHostsName', () => {
  it('uses the bare host on port 22 and [host]:port elsewhere', () => {
    expect(knownHostsName('Web-01', 22)).toBe('web-01');
    expect(knownHostsName('10.213.0.11', 2222)).toBe('[10.213.0.11]:2222');
  });
});

describe('host patterns', () => {
  it('matches one name of a comma list', () => {
    expect(patternListMatches('web-01,10.213.0.11', '10.213.0.11')).toBe(true);
  });

  it('matches * and ? wildcards on the whole name', () => {
    expect(patternListMatches('10.213.0.*', '10.213.0.11')).toBe(true);
    expect(patternListMatches('web-0?', 'web-01')).toBe(true);
    expect(patternListMatches('web-0?', 'web-011')).toBe(false);
  });

  it('lets a negated pattern veto a match', () => {
    expect(patternListMatches('10.213.0.*,!10.213.0.5', '10.213.0.5')).toBe(false);
    expect(patternListMatches('10.213.0.*,!10.213.0.5', '10.213.0.6')).toBe(true);
  });

  it('treats regex characters in names literally', () => {
    expect(patternListMatches('10.213.0.1', '10x213y0z1')).toBe(false);
  });

  it('matches [host]:port names including wildcards inside the brackets', () => {
    expect(patternListMatches('[10.213.0.*]:2222', '[10.213.0.11]:2222')).toBe(true);
    expect(patternListMatches('[10.213.0.11]:2222', '10.213.0.11')).toBe(false);
  });

  it('is case-insensitive like OpenSSH', () => {
    expect(patternListMatches('WEB-01', 'web-01')).toBe(true);
  });
});

describe('hashed names', () => {
  it('matches the name ssh-keygen -H hashed', () => {
    expect(hashedNameMatches(HASHED, '[10.213.0.11]:2222')).toBe(true);
  });

  it('does not match another name or port', () => {
    expect(hashedNameMatches(HASHED, '10.213.0.11')).toBe(false);
    expect(hashedNameMatches(HASHED, '[10.213.0.11]:22')).toBe(false);
  });

  it('is used for entries whose host field starts with |', () => {
    const [entry] = parseKnownHosts(`${HASHED} ssh-ed25519 ${KEY_A}`);
    expect(entry && entryMatchesHost(entry, '[10.213.0.11]:2222')).toBe(true);
  });
});

describe('checkHostKey', () => {
  const name = '[10.213.0.11]:2222';

  it('knows a key recorded under a hashed name', () => {
    const entries = parseKnownHosts(`${HASHED} ssh-ed25519 ${KEY_A}`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_A)).toEqual({ kind: 'known', line: 1 });
  });

  it('reports an unrecorded host as unknown', () => {
    const entries = parseKnownHosts(`other ssh-ed25519 ${KEY_A}`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_A)).toEqual({ kind: 'unknown' });
  });

  it('reports another key of the same type as changed, naming the line', () => {
    const entries = parseKnownHosts(`# header\n${name} ssh-ed25519 ${KEY_A}`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_B)).toEqual({
      kind: 'changed',
      lines: [2],
      knownTypes: ['ssh-ed25519'],
    });
  });

  it('reports a host known only with other key types as changed', () => {
    const entries = parseKnownHosts(`${name} ssh-rsa AAAAB3NzaC1yc2E`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_A)).toMatchObject({
      kind: 'changed',
      lines: [1],
      knownTypes: ['ssh-rsa'],
    });
  });

  it('accepts the key when any matching line has it, as OpenSSH does', () => {
    const entries = parseKnownHosts(`${name} ssh-ed25519 ${KEY_B}\n${name} ssh-ed25519 ${KEY_A}`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_A)).toEqual({ kind: 'known', line: 2 });
  });

  it('refuses a @revoked key even when it is also recorded as known', () => {
    const entries = parseKnownHosts(`${name} ssh-ed25519 ${KEY_A}\n@revoked * ssh-ed25519 ${KEY_A}`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_A)).toEqual({ kind: 'revoked', line: 2 });
  });

  it('ignores @cert-authority lines (certificates are not used)', () => {
    const entries = parseKnownHosts(`@cert-authority * ssh-ed25519 ${KEY_B}`);
    expect(checkHostKey(entries, name, 'ssh-ed25519', KEY_A)).toEqual({ kind: 'unknown' });
  });
});

describe('knownKeyTypes and formatKnownHostsLine', () => {
  it('lists the recorded types for a host', () => {
    const entries = parseKnownHosts(
      `h ssh-rsa AAAA\nh ssh-ed25519 ${KEY_A}\n@revoked h ssh-dss AAAA\nother ecdsa-sha2-nistp256 AAAA`,
    );
    expect(knownKeyTypes(entries, 'h')).toEqual(['ssh-rsa', 'ssh-ed25519']);
  });

  it('writes a line that parses back to the same key', () => {
    const line = formatKnownHostsLine('[10.213.0.11]:2222', 'ssh-ed25519', KEY_A);
    expect(checkHostKey(parseKnownHosts(line), '[10.213.0.11]:2222', 'ssh-ed25519', KEY_A).kind).toBe('known');
  });
});
