// `status` as data: per host and component, whether its container runs and answers its health
// endpoint, its image and published ports, and how it drifted from the configuration (missing,
// another image, a changed specification). Read-only.

import type { Topology } from '../config/topology.js';
import type { ContainerDetails } from '../remote/index.js';
import { renderContext, type FrontDoor } from '../render/context.js';
import { renderStack } from '../render/render.js';
import { loadState } from '../state/state-file.js';
import { component, COMPONENTS, containerName, LABELS, type ComponentName } from '../stack/manifest.js';
import { containerSpecs, specHash, type ContainerSpec } from './container-spec.js';
import { healthPort } from './containers.js';
import type { Connector, TierHost } from './context.js';
import { connectServers, type Reachable } from './reachable.js';
import { resolveFrom } from './remote-facts.js';

export interface ComponentStatus {
  component: ComponentName;
  machine: string;
  container: string;
  present: boolean;
  running: boolean;
  healthy: boolean;
  image: string | null;
  version: string | null;
  ports: string[];
  drift: string[];
}

export interface StatusReport {
  ok: boolean;
  environment: string;
  components: ComponentStatus[];
  unreachable: Reachable['unreachable'];
  /** Why drift of the configuration could not be judged, if so. */
  note?: string;
}

/** Drift of one container against its wanted spec (pure). */
export function driftOf(wanted: ContainerSpec | undefined, found: ContainerDetails | undefined): string[] {
  if (!found) return ['container missing'];
  const drift: string[] = [];
  if (!found.running) drift.push(`not running (${found.status})`);
  if (wanted) {
    if (found.image !== wanted.image) drift.push(`image ${found.image}, configured ${wanted.image}`);
    else if (found.labels[LABELS.specHash] !== specHash(wanted)) drift.push('settings differ from the configuration (run install to apply)');
  }
  return drift;
}

export function publishedPorts(found: ContainerDetails): string[] {
  return [...new Set(found.ports.map((p) => `${p.host}->${p.container}`))].sort();
}

export async function statusReport(input: { topology: Topology; statePath: string; frontDoor: FrontDoor; connect: Connector }): Promise<{ report: StatusReport; close(): Promise<void> }> {
  const { topology } = input;
  const reached = await connectServers(topology, input.connect);
  const th = (tier: TierHost['tier']) => reached.tierHosts.find((t) => t.tier === tier);
  const address = async (from: TierHost | undefined, name: string) => (from ? resolveFrom(from, name).catch(() => name) : name);
  const addresses = { web: await address(th('web'), topology.web.host), app: await address(th('web'), topology.app.host), db: await address(th('app'), topology.db.host) };
  const state = await loadState(input.statePath);
  let specs: ContainerSpec[] = [];
  let note: string | undefined;
  if (state) {
    const s = state.secrets;
    const stack = renderStack(
      renderContext({ hosts: addresses, grafanaPort: topology.grafanaPort, minio: { accessKey: s.minioAccessKey, secretKey: s.minioSecretKey }, grafanaAdmin: { user: s.grafanaAdminUser, password: s.grafanaAdminPassword }, frontDoor: input.frontDoor }),
    );
    specs = containerSpecs(stack, topology.images, topology.containers);
  } else {
    note = `no local state at ${input.statePath}: settings cannot be compared (only presence, image and health)`;
  }
  const components: ComponentStatus[] = [];
  for (const c of COMPONENTS) {
    if (c.name === 'haproxy' && input.frontDoor === 'external') continue;
    const host = th(c.tier);
    if (!host) continue;
    const name = containerName(c);
    const found = await host.remote.engine.inspectContainer(name);
    const wanted = specs.find((s) => s.component === c.name);
    let healthy = false;
    if (found?.running) {
      const port = wanted ? healthPort(wanted) : c.name === 'grafana' ? topology.grafanaPort : c.health.port;
      healthy = await host.remote.httpGet(addresses[c.tier], port, component(c.name).health.path, { timeoutMs: 3000 }).then((a) => a.status === 200, () => false);
    }
    const drift = driftOf(wanted, found);
    if (found?.running && !healthy) drift.push('does not answer its health endpoint');
    components.push({
      component: c.name,
      machine: host.machine.name,
      container: name,
      present: found !== undefined,
      running: found?.running ?? false,
      healthy,
      image: found?.image ?? null,
      version: found?.labels[LABELS.version] ?? null,
      ports: found ? publishedPorts(found) : [],
      drift,
    });
  }
  const ok = reached.unreachable.length === 0 && components.every((c) => c.healthy && c.drift.length === 0);
  return { report: { ok, environment: topology.environment, components, unreachable: reached.unreachable, ...(note ? { note } : {}) }, close: () => reached.fleet.close() };
}
