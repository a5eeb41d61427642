// Every machine of a topology, once: hosts that share address, port and user are one machine (one
// SSH connection) whatever tiers they serve. Phases ask it for the host of a tier.
import { hostsOf, type Topology } from '../config/topology.js';
import type { HealError } from '../core/errors.js';
import { SERVER_TIERS, type Tier } from '../stack/manifest.js';
import { Host, type ServerTier } from './host.js';

export class Inventory {
  constructor(readonly hosts: readonly Host[]) {}

  /** Groups the topology's entries into machines; throws a config error for conflicting sockets. */
  static of(topology: Topology): Inventory {
    const byKey = new Map<string, ReturnType<typeof hostsOf>>();
    for (const entry of hostsOf(topology)) {
      // By what SSH connects to: two aliases of one HostName may differ in Port or User in ssh_config.
      const key = `${entry.ssh.user ?? ''}@${entry.sshAlias ?? entry.host}:${entry.ssh.port ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), entry]);
    }
    return new Inventory([...byKey.values()].map((entries) => new Host(entries, topology.dockerSocket)));
  }

  /** The one machine serving a server tier. */
  forTier(tier: ServerTier): Host {
    const found = this.hosts.find((h) => h.serves(tier));
    if (!found) throw new Error(`no host serves the ${tier} tier`);
    return found;
  }

  /** Machines that run containers (web, app or db), each once. */
  servers(): Host[] {
    return this.hosts.filter((h) => h.isServer);
  }

  /** Each server tier with its machine, in web, app, db order (a machine may appear more than once). */
  serverTiers(): Array<{ tier: ServerTier; host: Host }> {
    return SERVER_TIERS.map((tier) => ({ tier, host: this.forTier(tier) }));
  }

  serving(tier: Tier): Host[] {
    return this.hosts.filter((h) => h.serves(tier));
  }

  /** Hosts whose connection failed, with why. */
  unreachable(): Array<{ host: Host; error: HealError }> {
    return this.hosts.flatMap((h) => (h.connection ? [] : [{ host: h, error: h.whyNotConnected }]));
  }
}
