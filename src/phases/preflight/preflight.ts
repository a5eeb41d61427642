// Preflight as a phase list: the first phases of install (connect, guard, checks), reporting what
// they find instead of stopping at the first failure.

import type { CheckResult } from '../../checks/check.js';
import type { Topology } from '../../config/topology.js';
import type { GuardFinding } from '../../guard/evaluate.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Phase } from '../../runner/phase.js';
import { reportingConnectPhase, type Connector } from '../shared/connect.js';
import { guardPhase } from '../shared/guard.js';
import { checksPhase } from './checks-phase.js';

export interface PreflightContext {
  topology: Topology;
  hosts: Inventory;
  connect: Connector;
  report: { guard: GuardFinding[]; preflight: CheckResult[] };
}

/** Preflight as a phase list: the first phases of install, reporting instead of stopping. */
export function preflightPhases(): Phase<PreflightContext>[] {
  return [reportingConnectPhase, guardPhase, checksPhase<PreflightContext>(() => null)];
}
