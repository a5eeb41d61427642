// Uninstall and status work on the server machines only, and unlike install an unreachable one does
// not stop them: it is reported and the others are still handled; a later run finishes the job.

import type { Topology } from '../../config/topology.js';
import type { Host } from '../../hosts/host.js';
import { Inventory } from '../../hosts/inventory.js';

export interface Unreachable {
  machine: string;
  tiers: string[];
  error: string;
}

/** The machines that run containers (targets have nothing of ours). */
export function serverInventory(topology: Topology): Inventory {
  return Inventory.of({ ...topology, targets: [] });
}

/** Connected server machines, each once. */
export function reachedServers(hosts: Inventory): Host[] {
  return hosts.servers().filter((h) => h.connection);
}

export function unreachableServers(hosts: Inventory): Unreachable[] {
  return hosts
    .unreachable()
    .map(({ host, error }) => ({ machine: host.name, tiers: [...host.tiers], error: error.message }));
}
