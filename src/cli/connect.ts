// Connects hosts through the transport: one SSH session per machine. Each Host gets its connection
// (the handle checks and phases use) or the error that explains why there is none. The connection
// options are flags shared by the commands that reach hosts.
import { HealError } from '../errors.js';
import type { Host } from '../hosts/host.js';
import type { Connector } from '../phases/connect.js';
import type { SshTarget, TargetSpec } from '../remote/index.js';
import { promptInteraction } from './interaction.js';

export interface ConnectFlags {
  acceptNewHostKeys?: boolean;
  concurrency?: number;
  /** `--connect-timeout SECONDS`: the limit on the TCP connection and on the SSH handshake. */
  connectTimeout?: number;
}

/** What the transport needs of a host: where, as whom, with which keys, and its engine socket. */
export function targetSpecOf(host: Host): TargetSpec {
  const { ssh } = host;
  return {
    name: host.name,
    host: host.address,
    port: ssh.port,
    user: ssh.user,
    ...(ssh.identityFile ? { identityFiles: [ssh.identityFile] } : {}),
    // undefined: the agent at SSH_AUTH_SOCK; false: never an agent.
    ...(ssh.agent ? {} : { agent: false as const }),
    knownHostsFile: ssh.knownHostsFile,
    ...(ssh.jumpHost ? { jump: ssh.jumpHost } : {}),
    dockerSocket: host.dockerSocket,
  };
}

/** The target with `--connect-timeout` on itself and on every jump host in front of it (as OpenSSH's ConnectTimeout). */
export function withConnectTimeout(target: SshTarget, seconds: number | undefined): SshTarget {
  if (seconds === undefined) return target;
  const ms = seconds * 1000;
  return { ...target, connectTimeoutMs: ms, readyTimeoutMs: ms, ...(target.jump ? { jump: withConnectTimeout(target.jump, seconds) } : {}) };
}

/** Opens a connection to each host (concurrently, bounded), setting `connection` or `connectError` on it. */
export function hostConnector(flags: ConnectFlags, interactive: boolean): Connector {
  return async (hosts) => {
    const remote = await import('../remote/index.js');
    // A configured key that cannot be one (missing, a directory, a .pub, ...) is a usage error: before any host.
    await remote.checkIdentityFiles(hosts.flatMap((h) => (h.ssh.identityFile ? [{ host: h.name, path: h.ssh.identityFile }] : [])));
    const ctx = remote.loadResolveContext();
    const targets = [];
    const resolved: Host[] = [];
    for (const host of hosts) {
      try {
        targets.push(withConnectTimeout(remote.resolveTarget(targetSpecOf(host), ctx), flags.connectTimeout));
        resolved.push(host);
      } catch (error) {
        host.connectError = error as HealError;
      }
    }
    const fleet = await remote.connectAll(targets, {
      interaction: interactive ? promptInteraction() : remote.nonInteractive,
      acceptNewHostKeys: flags.acceptNewHostKeys ?? false,
      concurrency: flags.concurrency ?? 8,
    });
    for (const host of resolved) {
      host.connection = fleet.hosts.get(host.name);
      if (!host.connection) host.connectError = fleet.failures.get(host.name) ?? new HealError({ code: 'ssh.connect', message: `not connected to ${host.name}` });
    }
    return { close: () => fleet.close() };
  };
}
