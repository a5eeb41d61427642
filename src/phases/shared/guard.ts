// Phase: the production guard on every host, before anything changes. Nothing can skip it.

import { guardError, runGuard } from '../../checks/run-checks.js';
import type { GuardFinding } from '../../guard/evaluate.js';
import type { Topology } from '../../config/topology.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Phase } from '../../runner/phase.js';

/** How long one host may take to tell its guard evidence and facts. */
export const GUARD_TIMEOUT_MS = 15_000;

export const guardPhase: Phase<{ topology: Topology; hosts: Inventory; report: { guard: GuardFinding[] } }> = {
  id: 'guard',
  title: 'Production guard',
  readOnly: true,
  // A guard that read no host vouches for nothing: skipped, never a ✔ (the unreachable hosts fail elsewhere).
  shouldRun: (ctx) => ctx.hosts.hosts.some((h) => h.connection),
  skipReason: () => 'no host could be read',
  async run(ctx) {
    const findings = await runGuard(ctx.topology, ctx.hosts.hosts, GUARD_TIMEOUT_MS);
    ctx.report.guard = findings;
    if (findings.length > 0) throw guardError(findings);
    const checked = ctx.hosts.hosts.filter((h) => h.facts).length;
    return `no host looks like production (${checked} checked)`;
  },
};
