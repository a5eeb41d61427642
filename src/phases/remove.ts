// Uninstall phases: find what carries our labels (or lives in our directory) on each reachable
// host, then remove exactly that: containers, the network, the configuration directory, and with
// --purge the data volumes and the local state. Nothing else is ever touched.

import { LABELS, PRODUCT, NETWORK_NAME } from '../stack/manifest.js';
import { removeState } from '../state/state-file.js';
import { HealError } from '../errors.js';
import { HOST_ROOT, tierDir } from './host-paths.js';
import type { Phase } from './phase.js';
import { ourContainers } from './remote-facts.js';
import { connectServers } from './reachable.js';
import type { FoundOnTier, UninstallContext } from './uninstall-context.js';
import type { TierHost } from './context.js';

const LABEL_FILTER = `${LABELS.product}=${PRODUCT}`;
const ignore404 = (e: { statusCode?: number }) => {
  if (e.statusCode !== 404) throw e;
};

/** Distinct machines: web, app and db may share one, and their engine is the same. */
function perMachine(ctx: UninstallContext): TierHost[] {
  const seen = new Set<string>();
  return ctx.tierHosts.filter((t) => (seen.has(t.machine.name) ? false : (seen.add(t.machine.name), true)));
}

export const connectServersPhase: Phase<UninstallContext> = {
  id: 'connect',
  title: 'Connect to the server hosts',
  readOnly: true,
  async run(ctx, io) {
    const reached = await connectServers(ctx.topology, ctx.connect);
    io.journal.finally('disconnect', () => reached.fleet.close());
    ctx.tierHosts = reached.tierHosts;
    ctx.unreachable = reached.unreachable;
    const hosts = new Set(ctx.tierHosts.map((t) => t.machine.name)).size;
    return `${hosts} host(s) connected${ctx.unreachable.length ? `, ${ctx.unreachable.length} unreachable: ${ctx.unreachable.map((u) => u.machine).join(', ')}` : ''}`;
  },
};

export const findPhase: Phase<UninstallContext> = {
  id: 'find',
  title: 'Find what heal-pyroscope installed',
  readOnly: true,
  async run(ctx) {
    const byMachine = new Map<string, Omit<FoundOnTier, 'tier' | 'directory'>>();
    for (const th of perMachine(ctx)) {
      const docker = th.remote.docker;
      const [containers, networks, volumes] = await Promise.all([
        ourContainers(docker),
        docker.listNetworks({ filters: { label: [LABEL_FILTER] } }),
        docker.listVolumes({ filters: { label: [LABEL_FILTER] } }),
      ]);
      byMachine.set(th.machine.name, {
        machine: th.machine.name,
        containers,
        networks: networks.filter((n) => n.Name === NETWORK_NAME).map((n) => ({ id: n.Id, name: n.Name })),
        volumes: (volumes.Volumes ?? []).map((v) => v.Name),
      });
    }
    ctx.found = [];
    for (const [i, th] of ctx.tierHosts.entries()) {
      const machineFound = byMachine.get(th.machine.name)!;
      const first = ctx.tierHosts.findIndex((t) => t.machine.name === th.machine.name) === i;
      const directory = (await th.remote.exec(['test', '-d', tierDir(th.tier)])).code === 0;
      // Engine objects are listed once per machine (on its first tier) so nothing is removed twice.
      ctx.found.push({ tier: th.tier, directory, ...(first ? machineFound : { machine: th.machine.name, containers: [], networks: [], volumes: [] }) });
    }
    const c = ctx.found.reduce((n, f) => n + f.containers.length, 0);
    const d = ctx.found.filter((f) => f.directory).length;
    return `${c} container(s), ${d} configuration directory(ies)`;
  },
};

function hostOf(ctx: UninstallContext, found: FoundOnTier): TierHost {
  return ctx.tierHosts.find((t) => t.tier === found.tier)!;
}

export const removeContainersPhase: Phase<UninstallContext> = {
  id: 'containers',
  title: 'Remove containers',
  shouldRun: (ctx) => ctx.found.some((f) => f.containers.length > 0),
  async run(ctx) {
    for (const f of ctx.found) {
      const docker = hostOf(ctx, f).remote.docker;
      for (const c of f.containers) {
        // v: only anonymous volumes go with the container; named data volumes stay.
        await docker.getContainer(c.id).remove({ force: true, v: true }).catch(ignore404);
        ctx.removed.push(`${f.machine}: container ${c.name}`);
      }
    }
    return ctx.removed.filter((r) => r.includes('container')).length + ' removed';
  },
  dryRun: (ctx) => ctx.found.flatMap((f) => f.containers.map((c) => `${f.machine}: remove container ${c.name}`)),
};

export const removeNetworkPhase: Phase<UninstallContext> = {
  id: 'network',
  title: 'Remove the network',
  shouldRun: (ctx) => ctx.found.some((f) => f.networks.length > 0),
  async run(ctx) {
    for (const f of ctx.found) {
      for (const n of f.networks) {
        await hostOf(ctx, f).remote.docker.getNetwork(n.id).remove().catch(ignore404);
        ctx.removed.push(`${f.machine}: network ${n.name}`);
      }
    }
  },
  dryRun: (ctx) => ctx.found.flatMap((f) => f.networks.map((n) => `${f.machine}: remove network ${n.name}`)),
};

export const removeFilesPhase: Phase<UninstallContext> = {
  id: 'files',
  title: 'Remove configuration files',
  shouldRun: (ctx) => ctx.found.some((f) => f.directory),
  async run(ctx) {
    for (const f of ctx.found.filter((x) => x.directory)) {
      const th = hostOf(ctx, f);
      const result = await th.remote.exec(['rm', '-rf', '--', tierDir(f.tier)]);
      if (result.code !== 0) throw new HealError({ code: 'uninstall.files', message: `cannot remove ${tierDir(f.tier)} on ${f.machine}: ${result.stderr.trim()}` });
      // The root goes only when no other tier's directory is left in it.
      await th.remote.exec(['rmdir', '--ignore-fail-on-non-empty', '--', HOST_ROOT]);
      ctx.removed.push(`${f.machine}: ${tierDir(f.tier)}`);
    }
  },
  dryRun: (ctx) => ctx.found.filter((f) => f.directory).map((f) => `${f.machine}: remove ${tierDir(f.tier)}`),
};

export const purgeVolumesPhase: Phase<UninstallContext> = {
  id: 'volumes',
  title: 'Remove data volumes (--purge)',
  shouldRun: (ctx) => ctx.options.purge && ctx.found.some((f) => f.volumes.length > 0),
  async run(ctx) {
    for (const f of ctx.found) {
      for (const v of f.volumes) {
        await hostOf(ctx, f).remote.docker.getVolume(v).remove().catch(ignore404);
        ctx.removed.push(`${f.machine}: volume ${v}`);
      }
    }
  },
  dryRun: (ctx) => ctx.found.flatMap((f) => f.volumes.map((v) => `${f.machine}: remove volume ${v}`)),
};

export const purgeStatePhase: Phase<UninstallContext> = {
  id: 'state',
  title: 'Remove the local state (--purge)',
  // With a host left unreached, the credentials are still needed to finish the job later.
  shouldRun: (ctx) => ctx.options.purge && ctx.unreachable.length === 0,
  async run(ctx) {
    await removeState(ctx.statePath);
    ctx.stateRemoved = true;
    return ctx.statePath;
  },
  dryRun: (ctx) => [`remove ${ctx.statePath}`],
};
