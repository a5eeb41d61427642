// Phase: one SSH connection per machine (targets included: preflight tests their flows). The
// connections close after everything else, rollback included. Install needs every host.

import { HealError } from '../errors.js';
import type { Inventory } from '../hosts/inventory.js';
import type { Host } from '../hosts/host.js';
import type { Phase } from './phase.js';

/** Opens one connection per host (setting `connection` or `connectError` on each); closes them all. */
export type Connector = (hosts: readonly Host[]) => Promise<{ close(): Promise<void> }>;

/** Connects every host of the inventory, closing them all when the run ends. */
export async function connectHosts(hosts: Inventory, connect: Connector, io: Parameters<Phase<unknown>['run']>[1]): Promise<void> {
  const connection = await connect(hosts.hosts);
  io.journal.finally('disconnect', () => connection.close());
}

/**
 * Preflight reports an unreachable host as a failed check and goes on with the others; install
 * needs every host, so there it ends the run before anything changes.
 */
export const reportingConnectPhase: Phase<{ hosts: Inventory; connect: Connector }> = {
  id: 'connect',
  title: 'Connect to every host',
  readOnly: true,
  async run(ctx, io) {
    await connectHosts(ctx.hosts, ctx.connect, io);
    const failed = ctx.hosts.unreachable();
    return `${ctx.hosts.hosts.length - failed.length} of ${ctx.hosts.hosts.length} host(s) connected${failed.length ? `; not reached: ${failed.map((f) => f.host.name).join(', ')}` : ''}`;
  },
};

export const connectPhase: Phase<{ hosts: Inventory; connect: Connector }> = {
  id: 'connect',
  title: 'Connect to every host',
  readOnly: true,
  async run(ctx, io) {
    await connectHosts(ctx.hosts, ctx.connect, io);
    const failed = ctx.hosts.unreachable();
    if (failed.length > 0) {
      throw new HealError({
        code: 'ssh.connect',
        message: `cannot connect to ${failed.map((f) => f.host.name).join(', ')}; nothing was changed`,
        details: failed.map((f) => `${f.host.name}: ${f.error.message}`),
        hint: failed[0]!.error.hint ?? 'run `heal-pyroscope preflight` for details',
      });
    }
    return `${ctx.hosts.hosts.length} host(s) connected`;
  },
};
