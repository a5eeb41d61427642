// Phase: one SSH connection per machine (targets included: preflight tests their flows). The
// connections close after everything else, rollback included.

import { machineStates, machinesFor } from '../checks/preflight.js';
import { HealError } from '../errors.js';
import { SERVER_TIERS } from '../stack/manifest.js';
import type { InstallContext, TierHost } from './context.js';
import type { Phase } from './phase.js';

export const connectPhase: Phase<InstallContext> = {
  id: 'connect',
  title: 'Connect to every host',
  readOnly: true,
  async run(ctx, io) {
    const machines = machinesFor(ctx.topology);
    const fleet = await ctx.connect(machines);
    io.journal.finally('disconnect', () => fleet.close());
    ctx.fleet = fleet;
    ctx.machines = machineStates(machines, fleet.sessions);
    const failed = ctx.machines.filter((s) => s.connectError);
    if (failed.length > 0) {
      throw new HealError({
        code: 'ssh.connect',
        message: `cannot connect to ${failed.map((s) => s.machine.name).join(', ')}; nothing was changed`,
        details: failed.map((s) => `${s.machine.name}: ${s.connectError!.message}`),
        hint: failed[0]!.connectError!.hint ?? 'run `heal-pyroscope preflight` for details',
      });
    }
    ctx.tierHosts = SERVER_TIERS.map((tier): TierHost => {
      const machine = machines.find((m) => m.tiers.includes(tier))!;
      const remote = fleet.hosts.get(machine.name);
      if (!remote) throw new HealError({ code: 'ssh.connect', message: `not connected to ${machine.name}` });
      return { tier, spec: machine.hosts.find((h) => h.tier === tier)!, machine, remote };
    });
    return `${machines.length} host(s) connected`;
  },
};
