// What uninstall phases share: options going in, the reachable hosts, the local state (which
// images installs pulled), and the report: what was found carrying our labels on each host, and
// what was removed.

import type { Topology } from '../../config/topology.js';
import type { InstallState } from '../../state/state-file.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Connector } from '../shared/connect.js';
import type { ExistingContainer, ServerTier } from '../../plan/plan.js';
import type { ImageDecision, ImageOutcome } from './image-decision.js';
import { serverInventory } from '../shared/reachable.js';
import { noLeftOverUndo, type LeftOverUndo } from '../../runner/finish-undo.js';
import { pendingUndoPath, type LeftUndo } from '../../state/pending-undo.js';

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
  /** The machine holds our flow rules (first tier only). */
  flowRules: boolean;
}

/** Whether the local state records the images installs pulled; when not, why (said in the summary). */
export type PullRecord = { recorded: true } | { recorded: false; why: string };

/** What the run found and did, as it did it: the command prints it and `--json` returns it. */
export interface UninstallReport {
  found: FoundOnTier[];
  removed: string[];
  /** What the purge did with each image. */
  images: ImageOutcome[];
  /** Machines whose /opt/heal-pyroscope stays because something not ours is in it. */
  rootsKept: string[];
  stateRemoved: boolean;
  pullRecord: PullRecord;
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
  /** The local state as the find phase read it (none: no state file, or one that cannot be read), kept exact by the purge. */
  state?: InstallState;
  report: UninstallReport;
  /** Undo steps a failed install left (read before the phases run), finished first. */
  undo: LeftOverUndo;
}

/** The summary's words for a state file without a record of pulls (one written by an older heal-pyroscope). */
export function noPullRecord(statePath: string): PullRecord {
  return {
    recorded: false,
    why: `${statePath} holds no record of the images installs pulled (written by an older heal-pyroscope)`,
  };
}

export function newUninstallContext(
  init: Pick<UninstallContext, 'topology' | 'options' | 'operator' | 'runId' | 'statePath' | 'connect'>,
  leftOver: LeftUndo[] = [],
): UninstallContext {
  return {
    ...init,
    hosts: serverInventory(init.topology),
    report: {
      found: [],
      removed: [],
      images: [],
      rootsKept: [],
      stateRemoved: false,
      pullRecord: noPullRecord(init.statePath),
    },
    undo: { ...noLeftOverUndo(pendingUndoPath(init.statePath), init.topology.environment), found: leftOver },
  };
}
