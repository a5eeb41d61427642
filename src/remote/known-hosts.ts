// known_hosts as OpenSSH reads it: plain and `[host]:port` names, comma lists, `*`/`?` patterns with
// `!` negation, hashed `|1|salt|hash` names and `@revoked` markers. Pure functions; host-key.ts does
// the file I/O and the decision.

import { createHmac } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line in the file, so messages can say which line to remove. */
  line: number;
  marker: '@revoked' | '@cert-authority' | null;
  /** The raw host field: a comma list of patterns or one hashed name. */
  hosts: string;
  keyType: string;
  /** Base64 key blob as written in the file. */
  key: string;
}

export type HostKeyVerdict =
  | { kind: 'known'; line: number }
  | { kind: 'unknown' }
  /** Same host, other key: either reinstalled or someone is in the middle. */
  | { kind: 'changed'; lines: number[]; knownTypes: string[] }
  | { kind: 'revoked'; line: number };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked' && fields[0] !== '@cert-authority') return;
      marker = fields.shift() as KnownHostEntry['marker'];
    }
    const [hosts, keyType, key] = fields;
    // Malformed lines are skipped, as OpenSSH does, rather than failing the whole file.
    if (hosts === undefined || keyType === undefined || key === undefined) return;
    entries.push({ line: index + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

// Each pattern compiled once: a run checks every host against every line of the file.
const compiled = new Map<string, RegExp>();

/** OpenSSH's match_pattern: `*` any run, `?` one character, whole string. */
export function globMatch(pattern: string, text: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, 's');
    compiled.set(pattern, re);
  }
  return re.test(text);
}

/** A comma list matches when some pattern matches and no negated one does. */
export function patternListMatches(list: string, name: string): boolean {
  let matched = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (pattern === '' || !globMatch(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, written by `HashKnownHosts yes`. */
export function hashedNameMatches(field: string, name: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const digest = createHmac('sha1', salt).update(name).digest('base64');
  return digest === parts[3];
}

export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  return entry.hosts.startsWith('|') ? hashedNameMatches(entry.hosts, name) : patternListMatches(entry.hosts, name);
}

/**
 * The verdict for a key the server presented. Stricter than OpenSSH in one place: a host known only
 * with other key types is treated as changed (we ask the server for the known types first, so this
 * only happens when it no longer has them).
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  keyType: string,
  key: string,
): HostKeyVerdict {
  const matching = entries.filter((e) => entryMatchesHost(e, name));
  const revoked = matching.find((e) => e.marker === '@revoked' && e.key === key);
  if (revoked) return { kind: 'revoked', line: revoked.line };
  const plain = matching.filter((e) => e.marker === null);
  const known = plain.find((e) => e.keyType === keyType && e.key === key);
  if (known) return { kind: 'known', line: known.line };
  if (plain.length === 0) return { kind: 'unknown' };
  const sameType = plain.filter((e) => e.keyType === keyType);
  const conflicting = sameType.length > 0 ? sameType : plain;
  return {
    kind: 'changed',
    lines: conflicting.map((e) => e.line),
    knownTypes: [...new Set(plain.map((e) => e.keyType))],
  };
}

/** Key types on record for a host, used to ask the server for those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries.filter((e) => e.marker === null && entryMatchesHost(e, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

export function formatKnownHostsLine(name: string, keyType: string, key: string): string {
  return `${name} ${keyType} ${key}`;
}
