// Turns what the operator wrote (possibly just an ssh_config alias) into a complete SshTarget, in
// OpenSSH's order: the tool's explicit settings (as `ssh -p`, `-l`, `-i`, `-J` on a command line),
// then what ssh_config sets for the host (ssh-config.ts), then OpenSSH's defaults.

import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ExitCode, HealError } from '../core/errors.js';
import type { SshConfigHost } from './ssh-config.js';
import { expandTokens, NOTHING_SET, parseJumpSpec } from './ssh-config.js';
import type { SshTarget } from './target.js';
import { DEFAULT_DOCKER_SOCKET } from './target.js';

export interface TargetSpec {
  name: string;
  /** An address, DNS name or ssh_config alias. */
  host: string;
  port?: number;
  user?: string;
  /** Tried first, then the config's IdentityFile lines (as `ssh -i`). */
  identityFiles?: readonly string[];
  /** Tried last: the hosts' own key, also offered to their jump host. */
  extraIdentityFiles?: readonly string[];
  agent?: string | false;
  knownHostsFile?: string;
  /** A bastion spec, or ProxyJump syntax (`[user@]host[:port][,...]`); `none` disables config's ProxyJump. */
  jump?: TargetSpec | string;
  dockerSocket?: string;
  connectTimeoutMs?: number;
  readyTimeoutMs?: number;
}

export interface ResolveContext {
  /** What ssh_config sets for a host (nothing, for a host it does not mention). */
  sshConfig: (alias: string) => SshConfigHost;
  home: string;
  localUser: string;
  fileExists: (path: string) => boolean;
}

// OpenSSH's default identities, used only when neither the spec nor the config names one.
const DEFAULT_IDENTITIES = ['.ssh/id_rsa', '.ssh/id_ecdsa', '.ssh/id_ed25519'];
const MAX_JUMPS = 8;

export function resolveContext(sshConfig: (alias: string) => SshConfigHost = () => NOTHING_SET): ResolveContext {
  return { sshConfig, home: homedir(), localUser: userInfo().username, fileExists: existsSync };
}

export function resolveTarget(spec: TargetSpec, ctx: ResolveContext, depth = 0): SshTarget {
  if (depth > MAX_JUMPS) {
    throw new HealError({
      code: 'config.ssh.jump-loop',
      message: `More than ${MAX_JUMPS} jump hosts in front of ${spec.name}: ProxyJump probably loops`,
      hint: 'Check ProxyJump in your ssh_config and the jump settings of this host',
      exitCode: ExitCode.usage,
    });
  }
  const found = ctx.sshConfig(spec.host);
  const user = spec.user ?? found.user ?? ctx.localUser;
  const port = spec.port ?? found.port ?? 22;
  const tokens = { h: spec.host, r: user, u: ctx.localUser, d: ctx.home, p: port, n: spec.host };
  const host = found.hostName ? expandTokens(found.hostName, tokens) : spec.host;
  const expand = (f: string) => expandTokens(f, { ...tokens, h: host });
  const configured = unique([...(spec.identityFiles ?? []), ...found.identityFiles.map(expand)]);
  const defaults = configured.length === 0;
  const identityFiles = unique([
    ...(defaults ? DEFAULT_IDENTITIES.map((f) => join(ctx.home, f)).filter((f) => ctx.fileExists(f)) : configured),
    ...(spec.extraIdentityFiles ?? []),
  ]);
  const knownHostsFile = spec.knownHostsFile ?? join(ctx.home, '.ssh', 'known_hosts');
  const target: SshTarget = {
    name: spec.name,
    host,
    port,
    user,
    identityFiles,
    ...(defaults ? { defaultIdentities: true } : {}),
    ...(found.identitiesOnly ? { identitiesOnly: true } : {}),
    ...(found.certificateFiles.length > 0 ? { certificateFiles: found.certificateFiles.map(expand) } : {}),
    knownHostsFile,
    dockerSocket: spec.dockerSocket ?? DEFAULT_DOCKER_SOCKET,
    ...(spec.agent !== undefined ? { agent: spec.agent } : {}),
    ...(spec.connectTimeoutMs !== undefined ? { connectTimeoutMs: spec.connectTimeoutMs } : {}),
    ...(spec.readyTimeoutMs !== undefined ? { readyTimeoutMs: spec.readyTimeoutMs } : {}),
  };
  const jump = spec.jump ?? found.proxyJump;
  if (jump === undefined && found.proxyCommand !== undefined) throw proxyCommandRefused(spec, found.proxyCommand);
  if (jump === undefined || jump === 'none') return target;
  // The jump host is checked against the same known_hosts and offered the hosts' key too.
  const inherited = {
    knownHostsFile,
    ...(spec.agent !== undefined ? { agent: spec.agent } : {}),
    extraIdentityFiles: unique([...(spec.identityFiles ?? []), ...(spec.extraIdentityFiles ?? [])]),
  };
  if (typeof jump !== 'string') {
    return { ...target, jump: resolveTarget({ ...inherited, ...jump }, ctx, depth + 1) };
  }
  // `a,b` means: reach a (by its own config), then b through a, then this host through b.
  let previous: SshTarget | undefined;
  for (const element of jump
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parsed = parseJumpSpec(element);
    const hopSpec: TargetSpec = {
      ...inherited,
      name: parsed.host,
      host: parsed.host,
      ...(parsed.user ? { user: parsed.user } : {}),
      ...(parsed.port ? { port: parsed.port } : {}),
    };
    const hop = resolveTarget(previous ? { ...hopSpec, jump: 'none' } : hopSpec, ctx, depth + 1);
    previous = previous ? { ...hop, jump: previous } : hop;
  }
  return previous ? { ...target, jump: previous } : target;
}

/** Every identity file the operator named for a target and its jump hosts (not OpenSSH's defaults). */
export function namedIdentityFiles(target: SshTarget): string[] {
  const own = target.defaultIdentities ? [] : [...(target.identityFiles ?? [])];
  return unique([...own, ...(target.jump ? namedIdentityFiles(target.jump) : [])]);
}

function proxyCommandRefused(spec: TargetSpec, command: string): HealError {
  return new HealError({
    code: 'config.ssh.proxy-command',
    message:
      `ssh_config gives ${spec.host} a ProxyCommand (${command}), which heal-pyroscope cannot run: it ` +
      `makes its own SSH connections`,
    hint:
      `use ProxyJump for ${spec.host} in ssh_config, or set ssh.jumpHost (--jump-host); ssh.jumpHost: ` +
      `none connects directly`,
    exitCode: ExitCode.usage,
  });
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
