// Uninstall phases: find what carries our labels (or lives in our directory) on each reachable
// host, then remove exactly that: containers, the network, the configuration directories (and
// /opt/heal-pyroscope once empty), and with --purge the data volumes, the images installs pulled
// (purge-images.ts) and the local state. Nothing else is ever touched.

import { HELPER_LABEL, type ContainerSummary, type Engine } from '../../remote/index.js';
import { LABELS, PRODUCT, NETWORK_NAME } from '../../stack/manifest.js';
import { loadState, pulledImagesOn, removeState } from '../../state/state-file.js';
import { HealError, isHealError } from '../../core/errors.js';
import { HOST_ROOT, tierDir } from '../../core/host-paths.js';
import type { Phase } from '../../runner/phase.js';
import { decideImages } from './purge-images.js';
import { toExisting } from '../../plan/remote-facts.js';
import { readHeldRules } from '../../plan/flow-facts.js';
import { setFlowRules } from '../../runner/run-undo.js';
import { FLOW_CHAIN, holdsRules } from '../../stack/flow-rules.js';
import type { Host } from '../../hosts/host.js';
import { connectPhaseFor } from '../shared/connect.js';
import { reachedServers } from '../shared/reachable.js';
import { noPullRecord, type FoundOnTier, type UninstallContext } from './uninstall-context.js';

const LABEL_FILTER = `${LABELS.product}=${PRODUCT}`;

/** Uninstall goes on without an unreachable server: a rerun finishes what this one could not reach. */
export const connectServersPhase = connectPhaseFor('reported', 'Connect to the server hosts');

/** The local state, for the record of pulled images; a file that cannot be read means no record. */
async function readState(ctx: UninstallContext): Promise<void> {
  try {
    const state = await loadState(ctx.statePath);
    if (state) ctx.state = state;
    ctx.report.pullRecord = !state
      ? { recorded: false, why: `no state file at ${ctx.statePath}` }
      : state.pulledImages !== undefined
        ? { recorded: true }
        : noPullRecord(ctx.statePath);
  } catch (error) {
    if (!isHealError(error)) throw error;
    ctx.report.pullRecord = { recorded: false, why: error.message };
  }
}

/** The image ID `ref` names on the engine now, or null when it names none. */
async function resolveImage(engine: Engine, ref: string): Promise<string | null> {
  return (await engine.inspectImage(ref))?.id ?? null;
}

type MachineFound = Omit<FoundOnTier, 'tier' | 'directory'>;

async function findOnMachine(ctx: UninstallContext, host: Host): Promise<MachineFound> {
  const engine = host.remote.engine;
  const [every, networks, volumes, root, held] = await Promise.all([
    engine.listContainers(),
    engine.listNetworks({ label: LABEL_FILTER }),
    engine.listVolumes({ label: LABEL_FILTER }),
    host.remote.exec(['test', '-d', HOST_ROOT]),
    readHeldRules(host),
  ]);
  const ours = (c: ContainerSummary) => c.labels[LABELS.product] === PRODUCT;
  const containers = every.filter(ours).map(toExisting);
  // A non-root user's root helper uses the HAProxy image only while this command runs.
  const others = every.filter((c) => c.labels[HELPER_LABEL] === undefined);
  const recorded = pulledImagesOn(ctx.state, host.name);
  const resolved = new Map(
    await Promise.all((recorded ?? []).map(async (p) => [p.ref, await resolveImage(engine, p.ref)] as const)),
  );
  const images = decideImages(recorded, {
    resolved,
    containers: others.map((c) => ({ name: c.name || c.id, imageId: c.imageId, ours: ours(c) })),
    // A container whose tag moved on shows its image ID instead: no reference to report.
    stackRefs: containers.map((c) => c.image).filter((ref) => !ref.startsWith('sha256:')),
  });
  return {
    machine: host.name,
    containers,
    networks: networks.filter((n) => n.name === NETWORK_NAME).map((n) => ({ id: n.id, name: n.name })),
    volumes: volumes.map((v) => v.name),
    root: root.code === 0,
    images,
    flowRules: holdsRules(held),
  };
}

export const findPhase: Phase<UninstallContext> = {
  id: 'find',
  title: 'Find what heal-pyroscope installed',
  readOnly: true,
  async run(ctx) {
    await readState(ctx);
    ctx.report.found = [];
    for (const host of reachedServers(ctx.hosts)) {
      const machineFound = await findOnMachine(ctx, host);
      for (const [i, tier] of host.serverTiers.entries()) {
        const directory = (await host.remote.exec(['test', '-d', tierDir(tier)])).code === 0;
        // Machine-wide things are listed once per machine (on its first tier) so nothing is removed twice.
        ctx.report.found.push({
          tier,
          directory,
          ...(i === 0
            ? machineFound
            : {
                machine: host.name,
                containers: [],
                networks: [],
                volumes: [],
                root: false,
                images: [],
                flowRules: false,
              }),
        });
      }
    }
    const c = ctx.report.found.reduce((n, f) => n + f.containers.length, 0);
    const d = ctx.report.found.filter((f) => f.directory).length;
    const recorded = reachedServers(ctx.hosts).reduce(
      (n, host) => n + (pulledImagesOn(ctx.state, host.name)?.length ?? 0),
      0,
    );
    const pulled = ctx.state?.pulledImages ? `, ${recorded} image(s) pulled by installs` : '';
    return `${c} container(s), ${d} configuration directory(ies)${pulled}`;
  },
};

function hostOf(ctx: UninstallContext, found: FoundOnTier): Host {
  return ctx.hosts.forTier(found.tier);
}

export const removeContainersPhase: Phase<UninstallContext> = {
  id: 'containers',
  title: 'Remove containers',
  shouldRun: (ctx) => ctx.report.found.some((f) => f.containers.length > 0),
  async run(ctx) {
    for (const f of ctx.report.found) {
      const engine = hostOf(ctx, f).remote.engine;
      for (const c of f.containers) {
        // Only anonymous volumes go with the container; named data volumes stay.
        await engine.removeContainer(c.id);
        ctx.report.removed.push(`${f.machine}: container ${c.name}`);
      }
    }
    return ctx.report.removed.filter((r) => r.includes('container')).length + ' removed';
  },
  dryRun: (ctx) => ctx.report.found.flatMap((f) => f.containers.map((c) => `${f.machine}: remove container ${c.name}`)),
};

export const removeNetworkPhase: Phase<UninstallContext> = {
  id: 'network',
  title: 'Remove the network',
  shouldRun: (ctx) => ctx.report.found.some((f) => f.networks.length > 0),
  async run(ctx) {
    for (const f of ctx.report.found) {
      for (const n of f.networks) {
        await hostOf(ctx, f).remote.engine.removeNetwork(n.id);
        ctx.report.removed.push(`${f.machine}: network ${n.name}`);
      }
    }
  },
  dryRun: (ctx) => ctx.report.found.flatMap((f) => f.networks.map((n) => `${f.machine}: remove network ${n.name}`)),
};

export const removeFlowRulesPhase: Phase<UninstallContext> = {
  id: 'flows',
  title: 'Remove the flow rules',
  shouldRun: (ctx) => ctx.report.found.some((f) => f.flowRules),
  async run(ctx) {
    for (const f of ctx.report.found.filter((x) => x.flowRules)) {
      await setFlowRules(hostOf(ctx, f).remote, f.machine, []);
      ctx.report.removed.push(`${f.machine}: flow rules`);
    }
  },
  dryRun: (ctx) =>
    ctx.report.found
      .filter((f) => f.flowRules)
      .map((f) => `${f.machine}: remove the flow rules (chain ${FLOW_CHAIN} and its jump from DOCKER-USER)`),
};

// $1: the root. Removes it only when empty; says which.
const REMOVE_ROOT_SCRIPT =
  'if [ ! -d "$1" ]; then echo absent; elif [ -z "$(ls -A -- "$1")" ]; then rmdir -- "$1" && echo removed; ' +
  'else echo kept; fi';

export const removeFilesPhase: Phase<UninstallContext> = {
  id: 'files',
  title: 'Remove configuration files',
  shouldRun: (ctx) => ctx.report.found.some((f) => f.directory || f.root),
  async run(ctx) {
    for (const host of reachedServers(ctx.hosts)) {
      const onMachine = ctx.report.found.filter((f) => f.machine === host.name);
      for (const f of onMachine.filter((x) => x.directory)) {
        const result = await host.remote.root.exec(['rm', '-rf', '--', tierDir(f.tier)]);
        if (result.code !== 0)
          throw new HealError({
            code: 'uninstall.files',
            message: `cannot remove ${tierDir(f.tier)} on ${f.machine}: ${result.stderr.trim()}`,
          });
        ctx.report.removed.push(`${f.machine}: ${tierDir(f.tier)}`);
      }
      if (!onMachine.some((f) => f.directory || f.root)) continue;
      // The root goes only when nothing is left in it: no other tier's directory, nothing of anyone else.
      const root = await host.remote.root.exec(['sh', '-c', REMOVE_ROOT_SCRIPT, 'sh', HOST_ROOT]);
      if (root.code !== 0)
        throw new HealError({
          code: 'uninstall.files',
          message: `cannot remove ${HOST_ROOT} on ${host.name}: ${root.stderr.trim()}`,
        });
      if (root.stdout.trim() === 'removed') ctx.report.removed.push(`${host.name}: ${HOST_ROOT}`);
      else if (root.stdout.trim() === 'kept') ctx.report.rootsKept.push(host.name);
    }
  },
  dryRun: (ctx) => [
    ...ctx.report.found.filter((f) => f.directory).map((f) => `${f.machine}: remove ${tierDir(f.tier)}`),
    ...ctx.report.found
      .filter((f) => f.root)
      .map((f) => `${f.machine}: remove ${HOST_ROOT} if nothing else is left in it`),
  ],
};

export const purgeVolumesPhase: Phase<UninstallContext> = {
  id: 'volumes',
  title: 'Remove data volumes (--purge)',
  shouldRun: (ctx) => ctx.options.purge && ctx.report.found.some((f) => f.volumes.length > 0),
  async run(ctx) {
    for (const f of ctx.report.found) {
      for (const v of f.volumes) {
        await hostOf(ctx, f).remote.engine.removeVolume(v);
        ctx.report.removed.push(`${f.machine}: volume ${v}`);
      }
    }
  },
  dryRun: (ctx) => ctx.report.found.flatMap((f) => f.volumes.map((v) => `${f.machine}: remove volume ${v}`)),
};

export const purgeStatePhase: Phase<UninstallContext> = {
  id: 'state',
  title: 'Remove the local state (--purge)',
  // With a host left unreached, the credentials are still needed to finish the job later.
  shouldRun: (ctx) => ctx.options.purge && ctx.hosts.unreachable().length === 0,
  async run(ctx) {
    await removeState(ctx.statePath);
    ctx.report.stateRemoved = true;
    return ctx.statePath;
  },
  dryRun: (ctx) => [`remove ${ctx.statePath}`],
};
