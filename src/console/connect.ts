// Connects hosts through the transport: one SSH session per machine. Each Host gets its connection
// (the handle checks and phases use) or the error that explains why there is none. The connection
// options are flags shared by the commands that reach hosts.
import { HealError } from '../core/errors.js';
import type { Host } from '../hosts/host.js';
import type { Connector } from '../phases/shared/connect.js';
import type { RootHelper, SshConfigLookup, SshTarget, TargetSpec } from '../remote/index.js';
import { promptInteraction } from './interaction.js';

export interface ConnectFlags {
  acceptNewHostKeys?: boolean;
  concurrency?: number;
  /** `--connect-timeout SECONDS`: the limit on the TCP connection and on the SSH handshake. */
  connectTimeout?: number;
}

/** What the transport needs of a host, as the operator set it (ssh_config fills the rest when resolved). */
export function targetSpecOf(host: Host): TargetSpec {
  const { ssh } = host;
  const jump = ssh.jumpHost;
  return {
    name: host.name,
    host: host.sshName,
    ...(ssh.port !== undefined ? { port: ssh.port } : {}),
    ...(ssh.user !== undefined ? { user: ssh.user } : {}),
    ...(ssh.identityFile ? { identityFiles: [ssh.identityFile] } : {}),
    // undefined: the agent at SSH_AUTH_SOCK; false: never an agent.
    ...(ssh.agent ? {} : { agent: false as const }),
    knownHostsFile: ssh.knownHostsFile,
    ...(jump === undefined
      ? {}
      : {
          jump:
            typeof jump === 'string'
              ? jump
              : {
                  name: jump.host,
                  host: jump.host,
                  user: jump.user,
                  port: jump.port,
                  ...(jump.identityFile ? { identityFiles: [jump.identityFile] } : {}),
                },
        }),
    dockerSocket: host.dockerSocket,
  };
}

/** The host names to look up in ssh_config: every host's, and every jump host's the settings name. */
export function sshConfigAliases(hosts: readonly Host[], hopNames: (proxyJump: string) => string[]): string[] {
  return hosts.flatMap((h) => {
    const jump = h.ssh.jumpHost;
    return [h.sshName, ...(jump === undefined ? [] : typeof jump === 'string' ? hopNames(jump) : [jump.host])];
  });
}

/** The target with `--connect-timeout` on itself and on every jump host in front of it (as OpenSSH's ConnectTimeout). */
export function withConnectTimeout(target: SshTarget, seconds: number | undefined): SshTarget {
  if (seconds === undefined) return target;
  const ms = seconds * 1000;
  return {
    ...target,
    connectTimeoutMs: ms,
    readyTimeoutMs: ms,
    ...(target.jump ? { jump: withConnectTimeout(target.jump, seconds) } : {}),
  };
}

/**
 * Opens a connection to each host (concurrently, bounded), setting `connection` or `connectError` on it.
 * `sshConfig`: what ssh_config said when the settings were gathered (gatherTopology), reused here so
 * that no host's `ssh -G` runs twice in one command.
 */
/** A non-root SSH user acts as root through a helper of the image HAProxy runs (pin, prefix or override). */
export function rootHelperOf(image: string): RootHelper {
  return { image };
}

export function hostConnector(
  flags: ConnectFlags,
  interactive: boolean,
  sshConfig?: SshConfigLookup,
  rootHelper?: RootHelper,
): Connector {
  return async (hosts) => {
    const remote = await import('../remote/index.js');
    const lookup = await remote.lookupSshConfig(
      sshConfigAliases(hosts, remote.jumpHopNames),
      remote.sshConfigSource(hosts[0]?.ssh.configFile),
      sshConfig,
    );
    const ctx = remote.resolveContext((alias) => lookup.of(alias));
    const targets: SshTarget[] = [];
    const resolved: Host[] = [];
    for (const host of hosts) {
      try {
        const target = withConnectTimeout(remote.resolveTarget(targetSpecOf(host), ctx), flags.connectTimeout);
        targets.push(target);
        resolved.push(host);
        host.reachedAs = { user: target.user, host: target.host, port: target.port };
      } catch (error) {
        host.connectError = error as HealError;
      }
    }
    // A named key that cannot be one (missing, a directory, a .pub, ...) is a usage error before any host is
    // contacted: the tool's ssh.identityFile, ssh_config's IdentityFile, a jump host's own (not OpenSSH's defaults).
    await remote.checkIdentityFiles(
      targets.flatMap((t) => remote.namedIdentityFiles(t).map((path) => ({ host: t.name, path }))),
    );
    const fleet = await remote.connectAll(targets, {
      interaction: interactive ? promptInteraction() : remote.nonInteractive,
      acceptNewHostKeys: flags.acceptNewHostKeys ?? false,
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      ...(rootHelper ? { rootHelper } : {}),
    });
    for (const host of resolved) {
      host.connection = fleet.hosts.get(host.name);
      if (!host.connection)
        host.connectError =
          fleet.failures.get(host.name) ??
          new HealError({ code: 'ssh.connect', message: `not connected to ${host.name}` });
    }
    return { close: () => fleet.close() };
  };
}
