// What the transport needs to reach one host. The config layer maps the operator's YAML onto it
// (resolve-target.ts fills gaps from ssh_config); the transport never reads YAML itself.

export interface SshTarget {
  /** Display name used in every message, e.g. `web-01`. */
  name: string;
  /** Address or DNS name as seen from this machine (or from the jump host when `jump` is set). */
  host: string;
  port: number;
  user: string;
  /** Private keys tried in order after the agent; OpenSSH's IdentityFile may repeat. */
  identityFiles?: readonly string[];
  /** The identity files are OpenSSH's defaults that exist (`~/.ssh/id_*`): none was named. */
  defaultIdentities?: boolean;
  /** ssh_config's IdentitiesOnly: the agent offers only the keys of the identity files. */
  identitiesOnly?: boolean;
  /** ssh_config's CertificateFile: ssh2 cannot present certificates, so failures name them. */
  certificateFiles?: readonly string[];
  /** ssh-agent socket path; undefined means `$SSH_AUTH_SOCK`, false means never use an agent. */
  agent?: string | false;
  /** Host keys are always checked against this file; accepted new keys are appended to it. */
  knownHostsFile: string;
  /** Bastion to tunnel through (a forwardOut channel of its own connection). */
  jump?: SshTarget;
  /** Docker engine socket on the host, e.g. `/var/run/docker.sock`. */
  dockerSocket: string;
  /** TCP connect (or jump channel open) limit. */
  connectTimeoutMs?: number;
  /** SSH handshake plus authentication limit, not counting time spent waiting on prompts. */
  readyTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_READY_TIMEOUT_MS = 20_000;
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Two targets with the same key are the same SSH session (web, app and db on one machine). */
export function sessionKey(target: SshTarget): string {
  const own = `${target.user}@${target.host}:${target.port}`;
  return target.jump ? `${own} via ${sessionKey(target.jump)}` : own;
}

/** `web-01 (10.213.0.11:22)`, or `inner-01 (10.214.0.2:22 via bastion-01)`: how messages name a host. */
export function describeTarget(target: SshTarget): string {
  const via = target.jump ? ` via ${target.jump.name}` : '';
  return `${target.name} (${target.user}@${target.host}:${target.port}${via})`;
}
