// Phase: our network on each machine that runs one of our containers, beside the pulls: each
// container phase then finds it there instead of asking for it on its critical path (the
// containers phases still ask, through the same per-run memo, so a phase run alone works too).

import { ensureNetwork } from './containers.js';
import type { PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { PREFLIGHT_PHASE_ID } from '../preflight/checks-phase.js';
import { settleAll } from '../../runner/settle.js';
import { NETWORK_NAME } from '../../stack/manifest.js';
import type { Host } from '../../hosts/host.js';

function machines(ctx: PlannedInstall): Host[] {
  return ctx.hosts.servers().filter((h) => ctx.planned.specs.some((s) => h.serves(s.tier)));
}

export const networkPhase: Phase<PlannedInstall> = {
  id: 'network',
  title: 'Network',
  after: [PREFLIGHT_PHASE_ID],
  async run(ctx, io) {
    const hosts = machines(ctx);
    await settleAll(hosts.map((host) => ensureNetwork(host, io.journal)));
    return `${NETWORK_NAME} on ${hosts.map((h) => h.name).join(', ')}`;
  },
  dryRun: (ctx) => machines(ctx).map((h) => `${h.name}: create network ${NETWORK_NAME} if missing`),
};
