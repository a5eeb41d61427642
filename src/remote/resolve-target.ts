// Turns what the operator wrote (possibly just an ~/.ssh/config alias) into a complete SshTarget:
// explicit settings win, then ~/.ssh/config, then OpenSSH's defaults, the same order as `ssh`.

import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { HealError } from '../errors.js';
import type { SshConfigBlock } from './ssh-config.js';
import { expandTokens, lookupSshConfig, parseJumpSpec, parseSshConfig } from './ssh-config.js';
import type { SshTarget } from './target.js';
import { DEFAULT_DOCKER_SOCKET } from './target.js';

export interface TargetSpec {
  name: string;
  /** An address, DNS name or ~/.ssh/config alias. */
  host: string;
  port?: number;
  user?: string;
  identityFiles?: readonly string[];
  agent?: string | false;
  knownHostsFile?: string;
  /** A bastion spec, or ProxyJump syntax (`[user@]host[:port][,...]`); `none` disables config's ProxyJump. */
  jump?: TargetSpec | string;
  dockerSocket?: string;
  connectTimeoutMs?: number;
  readyTimeoutMs?: number;
}

export interface ResolveContext {
  sshConfig: readonly SshConfigBlock[];
  home: string;
  localUser: string;
  fileExists: (path: string) => boolean;
}

// OpenSSH's default identities, used only when neither the spec nor the config names one.
const DEFAULT_IDENTITIES = ['.ssh/id_rsa', '.ssh/id_ecdsa', '.ssh/id_ed25519'];
const MAX_JUMPS = 8;

export function loadResolveContext(configFile = join(homedir(), '.ssh', 'config')): ResolveContext {
  let text = '';
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new HealError({
        code: 'config.ssh-config.unreadable',
        message: `Cannot read SSH config ${configFile}: ${(error as Error).message}`,
        hint: 'Fix its permissions, or remove it if it is not meant to be used',
        cause: error,
      });
    }
  }
  return { sshConfig: parseSshConfig(text), home: homedir(), localUser: userInfo().username, fileExists: existsSync };
}

export function resolveTarget(spec: TargetSpec, ctx: ResolveContext, depth = 0): SshTarget {
  if (depth > MAX_JUMPS) {
    throw new HealError({
      code: 'config.ssh.jump-loop',
      message: `More than ${MAX_JUMPS} jump hosts in front of ${spec.name}: ProxyJump probably loops`,
      hint: 'Check ProxyJump in ~/.ssh/config and the jump settings of this host',
    });
  }
  const found = lookupSshConfig(ctx.sshConfig, spec.host);
  const user = spec.user ?? found.user ?? ctx.localUser;
  const tokens = { h: spec.host, r: user, u: ctx.localUser, d: ctx.home };
  const host = found.hostName ? expandTokens(found.hostName, tokens) : spec.host;
  const configured = (spec.identityFiles ?? found.identityFiles).map((f) => expandTokens(f, { ...tokens, h: host }));
  const identityFiles =
    configured.length > 0 ? configured : DEFAULT_IDENTITIES.map((f) => join(ctx.home, f)).filter((f) => ctx.fileExists(f));
  const knownHostsFile = spec.knownHostsFile ?? join(ctx.home, '.ssh', 'known_hosts');
  const target: SshTarget = {
    name: spec.name,
    host,
    port: spec.port ?? found.port ?? 22,
    user,
    identityFiles,
    knownHostsFile,
    dockerSocket: spec.dockerSocket ?? DEFAULT_DOCKER_SOCKET,
    ...(spec.agent !== undefined ? { agent: spec.agent } : {}),
    ...(spec.connectTimeoutMs !== undefined ? { connectTimeoutMs: spec.connectTimeoutMs } : {}),
    ...(spec.readyTimeoutMs !== undefined ? { readyTimeoutMs: spec.readyTimeoutMs } : {}),
  };
  const jump = spec.jump ?? found.proxyJump;
  if (jump === undefined || jump === 'none') return target;
  const inherited = { knownHostsFile, ...(spec.agent !== undefined ? { agent: spec.agent } : {}) };
  if (typeof jump !== 'string') {
    return { ...target, jump: resolveTarget({ ...inherited, ...jump }, ctx, depth + 1) };
  }
  // `a,b` means: reach a (by its own config), then b through a, then this host through b.
  let previous: SshTarget | undefined;
  for (const element of jump.split(',').map((s) => s.trim()).filter(Boolean)) {
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
