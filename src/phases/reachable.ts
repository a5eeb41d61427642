// Connecting for uninstall and status: unlike install, an unreachable machine does not stop the
// run. It is reported and the others are still handled; a later run finishes the job.

import { machinesFor } from '../checks/preflight.js';
import type { Topology } from '../config/topology.js';
import { SERVER_TIERS } from '../stack/manifest.js';
import type { ConnectedFleet, Connector, TierHost } from './context.js';

export interface Reachable {
  fleet: ConnectedFleet;
  tierHosts: TierHost[];
  /** Server machines that could not be reached, with why. */
  unreachable: Array<{ machine: string; tiers: string[]; error: string }>;
}

export async function connectServers(topology: Topology, connect: Connector): Promise<Reachable> {
  // Only the server tiers: uninstall and status have nothing to do on target hosts.
  const machines = machinesFor(topology)
    .filter((m) => m.tiers.some((t) => t !== 'target'))
    .map((m) => ({ ...m, tiers: m.tiers.filter((t) => t !== 'target'), hosts: m.hosts.filter((h) => h.tier !== 'target') }));
  const fleet = await connect(machines);
  const tierHosts: TierHost[] = [];
  const unreachable: Reachable['unreachable'] = [];
  for (const machine of machines) {
    const remote = fleet.hosts.get(machine.name);
    const session = fleet.sessions.get(machine);
    if (!remote) {
      unreachable.push({ machine: machine.name, tiers: machine.tiers, error: session instanceof Error ? session.message : 'not connected' });
      continue;
    }
    for (const tier of SERVER_TIERS.filter((t) => machine.tiers.includes(t))) {
      tierHosts.push({ tier, spec: machine.hosts.find((h) => h.tier === tier)!, machine, remote });
    }
  }
  return { fleet, tierHosts, unreachable };
}
