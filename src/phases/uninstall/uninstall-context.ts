// What uninstall phases share: options going in, the reachable hosts, the local state (which
// images installs pulled), what was found carrying our labels on each host, and what was removed.

import type { Topology } from '../../config/topology.js';
import type { InstallState } from '../../state/state-file.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Connector } from '../shared/connect.js';
import type { ExistingContainer, ServerTier } from '../../plan/plan.js';
import type { ImageDecision, ImageOutcome } from './image-decision.js';
import { serverInventory } from '../shared/reachable.js';
import { noLeftOverUndo, type LeftOverUndo } from '../../runner/finish-undo.js';
import { pendingUndoPath } from '../../state/pending-undo.js';

export interface FoundOnTier {
  tier: ServerTier;
  machine: string;
  containers: ExistingContainer[];
  networks: Array<{ id: string; name: string }>;
  volumes: string[];
  /** Our configuration directory for the tier exists. */
  directory: boolean;
  /** /opt/heal-pyroscope exists on the machine (told on its first tier only, like engine objects). */
  root: boolean;
  /** What --purge does with each image installs pulled or our containers run (first tier only). */
  images: ImageDecision[];
}

export interface UninstallContext {
  topology: Topology;
  options: { purge: boolean; forceUnlock: boolean };
  operator: string;
  runId: string;
  statePath: string;
  connect: Connector;
  /** The server machines; connected by the connect phase (an unreachable one is reported, not fatal). */
  hosts: Inventory;
  /** The local state as found (undefined: no state file, or one that cannot be read: see stateProblem). */
  state?: InstallState;
  stateProblem?: string;
  found: FoundOnTier[];
  removed: string[];
  /** What the purge did with each image. */
  images: ImageOutcome[];
  /** Machines whose /opt/heal-pyroscope stays because something not ours is in it. */
  rootsKept: string[];
  stateRemoved: boolean;
  /** Undo steps a failed install left (the command reads them), finished first. */
  undo: LeftOverUndo;
}

export function newUninstallContext(init: Pick<UninstallContext, 'topology' | 'options' | 'operator' | 'runId' | 'statePath' | 'connect'>): UninstallContext {
  return {
    ...init,
    hosts: serverInventory(init.topology),
    found: [],
    removed: [],
    images: [],
    rootsKept: [],
    stateRemoved: false,
    undo: noLeftOverUndo(pendingUndoPath(init.statePath), init.topology.environment),
  };
}
