// `open grafana|minio` as phases: connect to the one machine that runs it, then listen on a local
// port (loopback only) and carry each connection to the service through that machine's SSH
// session, until Ctrl-C. Nothing on the hosts changes; the service needs no published port for it.

import { createServer, type Server, type Socket } from 'node:net';
import type { Topology } from '../../config/topology.js';
import { HealError } from '../../core/errors.js';
import { Inventory } from '../../hosts/inventory.js';
import { resolveFrom } from '../../plan/remote-facts.js';
import { consoleAddress } from '../../render/render.js';
import type { Phase } from '../../runner/phase.js';
import { port as portOf, type Tier } from '../../stack/manifest.js';
import { connectPhaseFor, type Connector } from '../shared/connect.js';
import { serverInventory } from '../shared/reachable.js';

export type OpenService = 'grafana' | 'minio';

export const OPEN_SERVICES: Record<OpenService, { title: string; tier: Exclude<Tier, 'target'> }> = {
  grafana: { title: 'Grafana', tier: 'app' },
  minio: { title: 'MinIO console', tier: 'db' },
};

export interface OpenContext {
  topology: Topology;
  connect: Connector;
  /** The one machine that runs the service. */
  hosts: Inventory;
  service: OpenService;
  /** The local port (default: the service's own). */
  localPort: number;
  /** Told once the local port listens. */
  onReady(tunnel: { url: string; machine: string; remote: string }): void;
  /** Ctrl-C: close the port and every connection. */
  stop: AbortSignal;
}

/** The port the service listens on, on its machine. */
export function servicePort(topology: Pick<Topology, 'grafanaPort'>, service: OpenService): number {
  return service === 'grafana' ? topology.grafanaPort : portOf('minio.console');
}

export function openHosts(topology: Topology, service: OpenService): Inventory {
  return new Inventory([serverInventory(topology).forTier(OPEN_SERVICES[service].tier)]);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export const tunnelPhase: Phase<OpenContext> = {
  id: 'tunnel',
  title: 'Forward a local port',
  readOnly: true,
  async run(ctx) {
    const { title, tier } = OPEN_SERVICES[ctx.service];
    const host = ctx.hosts.forTier(tier);
    const address = consoleAddress(ctx.topology.consolesPublished, await resolveFrom(host, ctx.topology[tier].host));
    const port = servicePort(ctx.topology, ctx.service);
    const open = new Set<Socket>();
    const server = createServer((local) => {
      open.add(local);
      local.on('close', () => open.delete(local));
      local.pause();
      host.remote.tunnel(address, port).then(
        (remote) => {
          local.pipe(remote).pipe(local);
          local.resume();
          remote.on('error', () => local.destroy());
          local.on('error', () => remote.destroy());
          local.on('close', () => remote.destroy());
        },
        () => local.destroy(),
      );
    });
    try {
      await listen(server, ctx.localPort);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new HealError({
        code: 'open.port',
        message: `cannot listen on 127.0.0.1:${ctx.localPort} on this machine: ${code === 'EADDRINUSE' ? 'in use' : String(error)}`,
        hint: `choose another local port: \`heal-pyroscope open ${ctx.service} --port ${ctx.localPort + 1}\``,
      });
    }
    ctx.onReady({
      url: `http://127.0.0.1:${ctx.localPort}`,
      machine: host.name,
      remote: `${address}:${port}`,
    });
    await new Promise<void>((resolve) => {
      if (ctx.stop.aborted) resolve();
      else ctx.stop.addEventListener('abort', () => resolve(), { once: true });
    });
    for (const socket of open) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `${title} closed`;
  },
};

export function openPhases(): Phase<OpenContext>[] {
  return [connectPhaseFor('fails', 'Connect to the host'), tunnelPhase];
}
