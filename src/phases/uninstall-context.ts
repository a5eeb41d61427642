// What uninstall phases share: options going in, the reachable hosts, what was found carrying our
// labels on each, and what was removed.

import type { Topology } from '../config/topology.js';
import type { Connector, TierHost } from './context.js';
import type { ExistingContainer, ServerTier } from './plan.js';
import type { Reachable } from './reachable.js';

export interface FoundOnTier {
  tier: ServerTier;
  machine: string;
  containers: ExistingContainer[];
  networks: Array<{ id: string; name: string }>;
  volumes: string[];
  /** Our configuration directory for the tier exists. */
  directory: boolean;
}

export interface UninstallContext {
  topology: Topology;
  options: { purge: boolean; forceUnlock: boolean };
  operator: string;
  runId: string;
  statePath: string;
  connect: Connector;
  tierHosts: TierHost[];
  unreachable: Reachable['unreachable'];
  found: FoundOnTier[];
  removed: string[];
  stateRemoved: boolean;
}

export function newUninstallContext(init: Pick<UninstallContext, 'topology' | 'options' | 'operator' | 'runId' | 'statePath' | 'connect'>): UninstallContext {
  return { ...init, tierHosts: [], unreachable: [], found: [], removed: [], stateRemoved: false };
}
