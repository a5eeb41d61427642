// Phase: one SSH connection per machine (targets included: preflight tests their flows). The
// connections close after everything else, rollback included. Install needs every host.

import { HealError } from '../../core/errors.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Host } from '../../hosts/host.js';
import type { Phase } from '../../runner/phase.js';

/** Opens one connection per host (setting `connection` or `connectError` on each); closes them all. */
export type Connector = (hosts: readonly Host[]) => Promise<{ close(): Promise<void> }>;

/** Connects every host of the inventory, closing them all when the run ends. */
export async function connectHosts(
  hosts: Inventory,
  connect: Connector,
  io: Parameters<Phase<unknown>['run']>[1],
): Promise<void> {
  const connection = await connect(hosts.hosts);
  io.journal.finally('disconnect', () => connection.close());
}

interface Connecting {
  hosts: Inventory;
  connect: Connector;
}

/**
 * Connects every host. Install needs all of them, so an unreachable one ends the run before
 * anything changes (`fails`); preflight, status and uninstall report it and go on with the others
 * (`reported`: preflight's ssh.connect check, status's and uninstall's summaries name it).
 */
export function connectPhaseFor(unreachable: 'fails' | 'reported', title = 'Connect to every host'): Phase<Connecting> {
  return {
    id: 'connect',
    title,
    readOnly: true,
    async run(ctx, io) {
      await connectHosts(ctx.hosts, ctx.connect, io);
      const failed = ctx.hosts.unreachable();
      const all = ctx.hosts.hosts.length;
      if (failed.length > 0 && unreachable === 'fails') {
        throw new HealError({
          code: 'ssh.connect',
          message: `cannot connect to ${failed.map((f) => f.host.name).join(', ')}; nothing was changed`,
          details: failed.map((f) => `${f.host.name}: ${f.error.message}`),
          hint: failed[0]?.error.hint ?? 'run `heal-pyroscope preflight` for details',
        });
      }
      if (failed.length === 0) return `${all} host(s) connected`;
      return (
        `${all - failed.length} of ${all} host(s) connected; not reached: ` +
        `${failed.map((f) => f.host.name).join(', ')}`
      );
    },
  };
}

export const connectPhase = connectPhaseFor('fails');
export const reportingConnectPhase = connectPhaseFor('reported');
