// Phase: the production guard on every host, before anything changes. Nothing can skip it.

import { guardError, runGuard } from '../checks/preflight.js';
import type { InstallContext } from './context.js';
import type { Phase } from './phase.js';

export const guardPhase: Phase<InstallContext> = {
  id: 'guard',
  title: 'Production guard',
  readOnly: true,
  async run(ctx) {
    const findings = await runGuard(ctx.topology, ctx.machines, 15_000);
    if (findings.length > 0) throw guardError(findings);
    return `no host looks like production (${ctx.machines.length} checked)`;
  },
};
