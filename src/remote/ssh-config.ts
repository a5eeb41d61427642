// What an ssh_config file says of a host, read as OpenSSH reads it: `ssh -G` when the OpenSSH client
// is installed (openssh-config.ts), the ssh-config parser otherwise (ssh-config-parser.ts). Only the
// values the config *sets* are kept, so OpenSSH's defaults (port 22, the local user, ~/.ssh/id_*)
// never pass for the operator's choice. resolve-target.ts merges them with the tool's own settings.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { defined } from '../core/defined.js';
import { ExitCode, HealError } from '../core/errors.js';
import {
  NOTHING_SET,
  SYSTEM_CONFIG,
  hostFromPairs,
  type HostReader,
  type SshConfigHost,
  type SshConfigReader,
  type SshConfigSource,
} from './ssh-config-host.js';

export { NOTHING_SET, SYSTEM_CONFIG, hostFromPairs };
export type { SshConfigHost, SshConfigReader, SshConfigSource };

/** What the config says of each host looked up, and which reader said it. */
export interface SshConfigLookup {
  reader: SshConfigReader;
  file: string;
  /** Whether the file was named (`ssh -F`: the system file not read), as in its SshConfigSource. */
  explicit: boolean;
  /** Remarks for --verbose: the reader, what the parser cannot evaluate. */
  notes: string[];
  of(alias: string): SshConfigHost;
  /** Whether this lookup read the alias (`of` answers NOTHING_SET for one it did not). */
  has(alias: string): boolean;
}

// Hops followed through ProxyJump before the closure gives up (a loop is reported by resolve-target.ts).
const MAX_LOOKUP_ROUNDS = 8;

/** The ssh_config file to read: the one named, else ~/.ssh/config. */
export function sshConfigSource(configFile: string | undefined, home = homedir()): SshConfigSource {
  if (configFile !== undefined) {
    if (!existsSync(configFile)) {
      throw new HealError({
        code: 'config.ssh-config.missing',
        message: `SSH config file ${configFile} does not exist`,
        hint: 'correct ssh.configFile (--ssh-config), or leave it out to read ~/.ssh/config',
        exitCode: ExitCode.usage,
      });
    }
    return { file: configFile, explicit: true, home };
  }
  const file = join(home, '.ssh', 'config');
  refuseLooseUserConfig(file);
  return { file, explicit: false, home };
}

/** As ssh: a ~/.ssh/config that others may write, or that another user owns, is refused (`Bad owner or permissions`). */
export function refuseLooseUserConfig(
  file: string,
  stat: (path: string) => { mode: number; uid: number } | undefined = statOrUndefined,
): void {
  const info = stat(file);
  const uid = process.getuid?.();
  if (!info || uid === undefined) return;
  if ((info.mode & 0o022) === 0 && (info.uid === 0 || info.uid === uid)) return;
  throw new HealError({
    code: 'config.ssh-config.permissions',
    message:
      `Bad owner or permissions on ${file}: other users may change it, so ssh refuses it and so does ` +
      `heal-pyroscope`,
    hint: `chmod go-w ${file} (and own it yourself), then run again`,
    exitCode: ExitCode.usage,
  });
}

function statOrUndefined(path: string): { mode: number; uid: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Looks every alias up, then every jump host their ProxyJump names, with the reader at hand.
 * `known`: a lookup this run already made of the same file (when settings were gathered); its
 * answers are reused and only the aliases it did not read are read, so a command runs `ssh -G`
 * once per host, not once when gathering settings and again when connecting.
 */
export async function lookupSshConfig(
  aliases: readonly string[],
  source: SshConfigSource,
  known?: SshConfigLookup,
): Promise<SshConfigLookup> {
  const reuse =
    known !== undefined && known.file === source.file && known.explicit === source.explicit ? known : undefined;
  const found = new Map<string, SshConfigHost>();
  let reader: HostReader | undefined;
  try {
    const seen = new Set<string>();
    let pending = [...new Set(aliases.map((a) => a.toLowerCase()))];
    for (let round = 0; pending.length > 0 && round < MAX_LOOKUP_ROUNDS; round += 1) {
      for (const alias of pending) if (reuse?.has(alias)) found.set(alias, reuse.of(alias));
      const unread = pending.filter((alias) => !found.has(alias));
      if (unread.length > 0) {
        reader ??= await openReader(source);
        const open = reader;
        const hosts = open.hosts
          ? await open.hosts(unread)
          : await Promise.all(unread.map((alias) => open.host(alias)));
        // A reader answers every alias it is asked, in order.
        unread.forEach((alias, i) => found.set(alias, defined(hosts[i], `${open.name}'s answer for ${alias}`)));
      }
      for (const alias of pending) seen.add(alias);
      const hops = pending.flatMap((alias) => {
        const proxyJump = found.get(alias)?.proxyJump;
        return proxyJump ? jumpHopNames(proxyJump) : [];
      });
      pending = [...new Set(hops.map((h) => h.toLowerCase()))].filter((h) => !seen.has(h));
    }
  } finally {
    await reader?.close();
  }
  return {
    reader: reader?.name ?? reuse?.reader ?? 'ssh -G',
    file: source.file,
    explicit: source.explicit,
    notes: reader?.notes ?? reuse?.notes ?? [],
    of: (alias) => found.get(alias.toLowerCase()) ?? NOTHING_SET,
    has: (alias) => found.has(alias.toLowerCase()),
  };
}

/** `ssh -G` when the OpenSSH client is installed, else the ssh-config parser. */
async function openReader(source: SshConfigSource): Promise<HostReader> {
  const openssh = await import('./openssh-config.js');
  return (await openssh.hasOpenSsh())
    ? openssh.openSshReader(source)
    : (await import('./ssh-config-parser.js')).parserReader(source);
}

/** The host names of a ProxyJump list (`a,user@b:2222`). */
export function jumpHopNames(spec: string): string[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseJumpSpec(s).host);
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

/** Expands the tokens ssh allows in HostName and IdentityFile that make sense here (ssh_config(5) TOKENS). */
export function expandTokens(
  value: string,
  tokens: { h: string; r: string; u: string; d: string; p?: number; n?: string },
): string {
  const withTilde = value === '~' ? tokens.d : value.startsWith('~/') ? `${tokens.d}${value.slice(1)}` : value;
  const table: Record<string, string> = {
    '%': '%',
    h: tokens.h,
    r: tokens.r,
    u: tokens.u,
    d: tokens.d,
    p: String(tokens.p ?? 22),
    n: tokens.n ?? tokens.h,
  };
  return withTilde.replace(/%([%hrudpn])/g, (_, t: string) => table[t] ?? '');
}
