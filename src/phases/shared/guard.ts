// Phases: the production guard on every host, before anything changes. Nothing can skip it.
// install and restore refuse (exit 3); the commands that only read or remove (uninstall, status,
// verify, logs, backup) run the same guard and warn with the same evidence: uninstall must still be
// able to remove a stack that reached a production host.

import { guardError, runGuard } from '../../checks/run-checks.js';
import { describeFinding, type GuardFinding } from '../../guard/evaluate.js';
import type { Topology } from '../../config/topology.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Phase, PhaseOutcome } from '../../runner/phase.js';

/** How long one host may take to tell its guard evidence and facts. */
export const GUARD_TIMEOUT_MS = 15_000;

/** The phase id both guards share: the lifecycle prints a warning guard's findings by it. */
export const GUARD_PHASE_ID = 'guard';

/** How a warning guard's summary starts; its findings follow. */
export const GUARD_WARNING = 'this stack reached what looks like production';

/** Between the findings of a warning guard's summary (split again to print one per line). */
export const FINDING_SEPARATOR = '; ';

interface Guarded {
  topology: Topology;
  hosts: Inventory;
}

/** What both guards share: id, title, and the skip of a guard that could read no host. */
const GUARD_BASE = {
  id: GUARD_PHASE_ID,
  title: 'Production guard',
  readOnly: true,
  // A guard that read no host vouches for nothing: skipped, never a ✔ (the unreachable hosts fail elsewhere).
  shouldRun: (ctx: Guarded) => ctx.hosts.hosts.some((h) => h.connection),
  skipReason: () => 'no host could be read',
} as const;

function passed(ctx: Guarded): string {
  return `no host looks like production (${ctx.hosts.hosts.filter((h) => h.facts).length} checked)`;
}

export const guardPhase: Phase<Guarded & { report: { guard: GuardFinding[] } }> = {
  ...GUARD_BASE,
  async run(ctx) {
    const findings = await runGuard(ctx.topology, ctx.hosts.hosts, GUARD_TIMEOUT_MS);
    ctx.report.guard = findings;
    if (findings.length > 0) throw guardError(findings);
    return passed(ctx);
  },
};

/** The guard of a command that reads or removes: its findings are a warning, the command goes on. */
export const guardWarningPhase: Phase<Guarded> = {
  ...GUARD_BASE,
  async run(ctx): Promise<string | PhaseOutcome> {
    const findings = await runGuard(ctx.topology, ctx.hosts.hosts, GUARD_TIMEOUT_MS);
    if (findings.length === 0) return passed(ctx);
    return {
      verdict: 'warn',
      summary: `${GUARD_WARNING}: ${findings.map(describeFinding).join(FINDING_SEPARATOR)}`,
    };
  },
};
