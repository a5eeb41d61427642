// One machine, from the config to its Docker engine (k0sctl's cluster.Host): what the config says of
// it (address, the tiers it serves, SSH settings, engine socket), its connection once open and its
// facts once read. Web, app and db may be one machine: one Host, one connection, several tiers.
import type { HostFacts } from './facts.js';
import type { HostSpec, SshOptions } from '../config/topology.js';
import { ExitCode, HealError } from '../core/errors.js';
import type { HostHandle } from '../remote/index.js';
import type { Tier } from '../stack/manifest.js';

export type ServerTier = Exclude<Tier, 'target'>;

export class Host {
  /** Display name: the configured names of its tiers, e.g. `web-01` or `web-01/app-01`. */
  readonly name: string;
  /** Address or name other hosts and the containers reach it by (an ssh_config alias's HostName). */
  readonly address: string;
  /** What SSH connects to: the ssh_config alias it was named by, else its address. */
  readonly sshName: string;
  readonly tiers: readonly Tier[];
  readonly ssh: SshOptions;
  /** The engine socket of this machine (one engine, whichever tiers it serves). */
  readonly dockerSocket: string;
  /** The config entries that name this machine, one per tier. */
  readonly entries: readonly HostSpec[];
  /** Set by the connect phase: where the connection goes once ssh_config is applied (user, address, port). */
  reachedAs: { user: string; host: string; port: number } | undefined;
  /** Set by the connect phase: the open connection, or why there is none. */
  connection: HostHandle | undefined;
  connectError: HealError | undefined;
  /** Read once (guard evidence, OS and engine facts) and shared by every later check. */
  facts: HostFacts | undefined;

  /** `defaultSocket`: the socket every host gets unless its entry names one (docker.socket). */
  constructor(entries: readonly HostSpec[], defaultSocket?: string) {
    const first = entries[0];
    if (!first) throw new Error('a host needs at least one config entry');
    this.entries = entries;
    this.name = [...new Set(entries.map((e) => e.name))].join('/');
    this.address = first.host;
    this.sshName = first.sshAlias ?? first.host;
    this.tiers = [...new Set(entries.map((e) => e.tier))];
    this.ssh = first.ssh;
    this.dockerSocket = machineSocket(first, entries, defaultSocket);
  }

  serves(tier: Tier): boolean {
    return this.tiers.includes(tier);
  }

  /** The tiers it runs containers for (web, app, db), in the order of its entries. */
  get serverTiers(): ServerTier[] {
    return this.tiers.filter((t): t is ServerTier => t !== 'target');
  }

  /** Runs containers (serves web, app or db), so it has an engine that matters. */
  get isServer(): boolean {
    return this.serverTiers.length > 0;
  }

  /** The open connection. Phases after connect only ever see connected hosts, so this cannot throw there. */
  get remote(): HostHandle {
    if (!this.connection) throw this.whyNotConnected;
    return this.connection;
  }

  /** Why there is no connection: the connect phase's error, or "not connected" before connect ran. */
  get whyNotConnected(): HealError {
    return this.connectError ?? new HealError({ code: 'ssh.connect', message: `not connected to ${this.name}` });
  }
}

/**
 * The machine's engine socket. A target's entry has nothing to run, so the server tiers decide; an
 * entry that names its own socket wins over the ones that only have the default (web, app and db on
 * one machine, `hosts.db.dockerSocket` set: that is the machine's socket). Two server tiers on one
 * machine that name different sockets are a config error, not a silent pick of the first.
 */
function machineSocket(first: HostSpec, entries: readonly HostSpec[], defaultSocket: string | undefined): string {
  const servers = entries.filter((e) => e.tier !== 'target');
  const named = servers.filter((e) => e.dockerSocket !== defaultSocket);
  const sockets = [...new Set(named.map((e) => e.dockerSocket))];
  if (sockets.length > 1) {
    throw new HealError({
      code: 'config.docker-socket',
      message:
        `${named.map((e) => `hosts.${e.tier}`).join(', ')} are one machine (${first.host}) but name ` +
        `different Docker sockets: ${sockets.join(', ')}`,
      hint: 'a machine has one engine: give its entries the same dockerSocket (or set docker.socket once)',
      exitCode: ExitCode.usage,
    });
  }
  return sockets[0] ?? defaultSocket ?? servers[0]?.dockerSocket ?? first.dockerSocket;
}
