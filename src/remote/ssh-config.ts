// The subset of ~/.ssh/config the transport honours for a host alias: HostName, User, Port,
// IdentityFile and ProxyJump, selected by `Host` patterns (`*`, `?`, `!negation`). Pure parsing and
// lookup; resolve-target.ts reads the file. `Match` blocks and `Include` are not supported: their
// settings are ignored rather than guessed.

import { globMatch } from './known-hosts.js';

export interface SshConfigBlock {
  /** Patterns of the `Host` line; the lines before any `Host` apply to every host (`*`). */
  patterns: string[];
  /** Keywords lower-cased, values in file order; `null` patterns mark an ignored `Match` block. */
  settings: Array<{ keyword: string; args: string[]; line: number }>;
  ignored: boolean;
}

export interface SshConfigValues {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxyJump?: string;
}

const SUPPORTED = new Set(['hostname', 'user', 'port', 'identityfile', 'proxyjump']);

/** Splits `Keyword value`, `Keyword=value` and double-quoted arguments as ssh does. */
export function splitConfigLine(line: string): { keyword: string; args: string[] } | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const match = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(trimmed);
  if (!match) return { keyword: trimmed.toLowerCase(), args: [] };
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(match[2] ?? ''); m; m = re.exec(match[2] ?? '')) args.push(m[1] ?? m[2] ?? '');
  return { keyword: (match[1] ?? '').toLowerCase(), args };
}

export function parseSshConfig(text: string): SshConfigBlock[] {
  const blocks: SshConfigBlock[] = [{ patterns: ['*'], settings: [], ignored: false }];
  text.split('\n').forEach((raw, index) => {
    const parsed = splitConfigLine(raw);
    if (!parsed) return;
    if (parsed.keyword === 'host') {
      blocks.push({ patterns: parsed.args, settings: [], ignored: false });
    } else if (parsed.keyword === 'match') {
      blocks.push({ patterns: [], settings: [], ignored: true });
    } else if (SUPPORTED.has(parsed.keyword)) {
      blocks.at(-1)?.settings.push({ keyword: parsed.keyword, args: parsed.args, line: index + 1 });
    }
  });
  return blocks;
}

/** A `Host` line matches when one pattern matches and no negated pattern does (case-insensitive). */
export function hostPatternsMatch(patterns: readonly string[], alias: string): boolean {
  const name = alias.toLowerCase();
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!globMatch(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** ssh semantics: the first value found wins, except IdentityFile, which accumulates. */
export function lookupSshConfig(blocks: readonly SshConfigBlock[], alias: string): SshConfigValues {
  const values: SshConfigValues = { identityFiles: [] };
  for (const block of blocks) {
    if (block.ignored || !hostPatternsMatch(block.patterns, alias)) continue;
    for (const { keyword, args } of block.settings) {
      const value = args[0];
      if (value === undefined) continue;
      if (keyword === 'identityfile') values.identityFiles.push(value);
      else if (keyword === 'hostname') values.hostName ??= value;
      else if (keyword === 'user') values.user ??= value;
      else if (keyword === 'proxyjump') values.proxyJump ??= value;
      else if (keyword === 'port' && values.port === undefined) {
        const port = Number(value);
        if (Number.isInteger(port) && port > 0 && port < 65536) values.port = port;
      }
    }
  }
  return values;
}

/** `[user@]host[:port]` from a ProxyJump list element (`ssh://` URIs included). */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  const bare = spec.replace(/^ssh:\/\//, '');
  const at = bare.lastIndexOf('@');
  const user = at >= 0 ? bare.slice(0, at) : undefined;
  let rest = at >= 0 ? bare.slice(at + 1) : bare;
  let port: number | undefined;
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  const hostPort = /^([^:]+):(\d+)$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1] ?? rest;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (hostPort) {
    rest = hostPort[1] ?? rest;
    port = Number(hostPort[2]);
  }
  return { ...(user ? { user } : {}), host: rest, ...(port ? { port } : {}) };
}

/** Expands the tokens ssh allows in HostName and IdentityFile that make sense here. */
export function expandTokens(value: string, tokens: { h: string; r: string; u: string; d: string }): string {
  const withTilde = value.startsWith('~/') ? `${tokens.d}${value.slice(1)}` : value;
  return withTilde.replace(/%([%hrud])/g, (_, t: string) => (t === '%' ? '%' : tokens[t as 'h' | 'r' | 'u' | 'd']));
}
