// `status` as data: per host and component, whether its container runs and answers its health
// endpoint, its image and published ports, and how it drifted from the configuration (missing,
// another image, a changed specification). Read-only.

import { guardWarningPhase } from '../shared/guard.js';
import type { Topology } from '../../config/topology.js';
import { HealError, isHealError } from '../../core/errors.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { ContainerDetails } from '../../remote/index.js';
import type { FrontDoor } from '../../render/context.js';
import { component, COMPONENTS, containerName, LABELS, type ComponentName } from '../../stack/manifest.js';
import { healthAddress, healthPort, specHash, volumeName, type ContainerSpec } from '../../plan/container-spec.js';
import { remotePath } from '../../plan/plan.js';
import { consoleAddress } from '../../render/render.js';
import { filesystemOf } from '../../hosts/facts.js';
import { connectPhaseFor, type Connector } from '../shared/connect.js';
import { fromHostsNote, localOrHostState, type FoundState } from '../shared/host-state.js';
import { lastAuditEntry, type AuditEntry } from '../shared/audit.js';
import { desiredStack, doorTrust, tierAddresses, type TierAddresses } from '../../plan/desired-stack.js';
import { heldTargets, readHeldRules, ruleMachines, wantedRules } from '../../plan/flow-facts.js';
import { describeRules, holdsRules, rulesDrift, type MachineRules } from '../../stack/flow-rules.js';
import type { Phase } from '../../runner/phase.js';
import type { Host } from '../../hosts/host.js';
import type { TlsTrust } from '../../remote/index.js';
import { TLS_CA_PATH } from '../../render/haproxy.js';
import { withTenantPasswords, type Secrets } from '../../state/state-file.js';
import { certificateSummary, RENEW_DAYS } from '../../tls/certificates.js';
import { serverInventory, unreachableServers, type Unreachable } from '../shared/reachable.js';

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

/** The filesystem of a server's Docker root (where the data volumes live). */
export interface DiskStatus {
  machine: string;
  mount: string;
  availableBytes: number;
  sizeBytes: number | null;
  /** Whole percent free; null when the size is unknown. */
  freePercent: number | null;
}

/** A data volume of ours and its size as the engine measures it (null when it did not). */
export interface VolumeStatus {
  machine: string;
  component: ComponentName;
  volume: string;
  bytes: number | null;
}

/** One machine's flow rules: which ports answer only whom, and how they drifted (null: as configured). */
export interface FlowStatus {
  machine: string;
  /** "4040, 4317 only from web-01 (10.0.0.11)"; null when the machine should hold none. */
  rules: string | null;
  drift: string | null;
}

export interface FrontDoorTlsStatus {
  names: string[];
  /** ISO 8601. */
  notAfter: string;
  /** Whole days until then (negative once ended). */
  daysLeft: number;
  fingerprint256: string;
}

/** The door's certificate as status reports it, and the warning it deserves (pure). */
export function frontDoorTlsStatus(
  certificate: string,
  now: Date,
  mode: 'generated' | 'files' = 'generated',
): { status: FrontDoorTlsStatus; warning: string | null } {
  const summary = certificateSummary(certificate);
  const daysLeft = Math.floor((summary.notAfter.getTime() - now.getTime()) / (24 * 3600 * 1000));
  const status = {
    names: summary.names,
    notAfter: summary.notAfter.toISOString(),
    daysLeft,
    fingerprint256: summary.fingerprint256,
  };
  const when = daysLeft < 0 ? `ended on ${status.notAfter}` : `ends on ${status.notAfter} (in ${daysLeft} days)`;
  const next =
    mode === 'files'
      ? 'put a new one in the file frontDoor.certificate names (and its key), then run `heal-pyroscope install`'
      : 'run `heal-pyroscope install`, which issues a new one under the same CA (agents keep their CA file)';
  const warning = daysLeft < RENEW_DAYS ? `the front door's certificate ${when}: ${next}` : null;
  return { status, warning };
}

/** Below this share of free space on a server's Docker root, status warns. */
export const LOW_DISK_PERCENT = 15;

export interface StatusReport {
  ok: boolean;
  environment: string;
  components: ComponentStatus[];
  disks: DiskStatus[];
  volumes: VolumeStatus[];
  /** The flow rules of each machine that holds or should hold some (none before an install). */
  flows: FlowStatus[];
  /** The certificate the front door serves (`frontDoor.tls: generated`); null for a plain door or no state. */
  frontDoorTls: FrontDoorTlsStatus | null;
  /** Things to act on soon that are not drift (a disk under 15% free): status still exits 0. */
  warnings: string[];
  /** Each reached server's last record in its audit log (null: none there), newest run first. */
  lastChanges: LastChange[];
  unreachable: Unreachable[];
  /** Where the credentials came from: the state file, the hosts (no local state), or none (not compared). */
  state: 'local' | 'hosts' | 'none';
  /** The credentials were read from the hosts, or why drift of the configuration could not be judged. */
  note?: string;
}

/** What the last run against a machine was: from its audit log. */
export interface LastChange {
  machine: string;
  record: Pick<AuditEntry, 'time' | 'by' | 'command' | 'outcome' | 'version' | 'changed'> | null;
}

/** Drift of one container against its wanted spec (pure). */
export function driftOf(wanted: ContainerSpec | undefined, found: ContainerDetails | undefined): string[] {
  if (!found) return ['container missing'];
  const drift: string[] = [];
  if (!found.running) drift.push(`not running (${found.status})`);
  if (wanted) {
    if (found.image !== wanted.image) drift.push(`image ${found.image}, configured ${wanted.image}`);
    else if (found.labels[LABELS.specHash] !== specHash(wanted))
      drift.push('settings differ from the configuration (run install to apply)');
  }
  return drift;
}

export function publishedPorts(found: ContainerDetails): string[] {
  return [...new Set(found.ports.map((p) => `${p.host}->${p.container}`))].sort();
}

export interface StatusContext {
  topology: Topology;
  statePath: string;
  frontDoor: FrontDoor;
  connect: Connector;
  /** The server machines; an unreachable one is reported. */
  hosts: Inventory;
  /** Written by the status phase; until then, nothing read (and not ok). */
  report: StatusReport;
}

export function newStatusContext(init: Omit<StatusContext, 'hosts' | 'report'>): StatusContext {
  return {
    ...init,
    hosts: serverInventory(init.topology),
    report: {
      ok: false,
      environment: init.topology.environment,
      components: [],
      disks: [],
      volumes: [],
      flows: [],
      frontDoorTls: null,
      warnings: [],
      lastChanges: [],
      unreachable: [],
      state: 'none',
    },
  };
}

/** Why status exits 1: what is not healthy or not as configured, and what was not reached. */
export function statusError(report: StatusReport): HealError {
  const off = report.components.filter((c) => !c.healthy || c.drift.length > 0);
  const flows = report.flows.filter((f) => f.drift !== null);
  const parts = [
    ...(off.length > 0 ? [`${off.length} component(s) not healthy or not as configured`] : []),
    ...(flows.length > 0 ? [`flow rules not as configured on ${flows.map((f) => f.machine).join(', ')}`] : []),
    ...(report.unreachable.length > 0 ? [`${report.unreachable.length} host(s) not reached`] : []),
  ];
  return new HealError({
    code: 'status.unhealthy',
    message: parts.length > 0 ? parts.join('; ') : 'not healthy or not as configured',
    details: [
      ...off.map((c) => `${c.machine} ${c.component}: ${c.drift.length > 0 ? c.drift.join('; ') : 'unhealthy'}`),
      ...flows.map((f) => `${f.machine}: ${f.drift} (run install to apply)`),
      ...report.unreachable.map((u) => `${u.machine}: not reached (${u.error})`),
    ],
    hint:
      report.unreachable.length > 0
        ? '`heal-pyroscope preflight` tells why a host cannot be reached'
        : '`heal-pyroscope logs COMPONENT` shows why a component is unhealthy; `heal-pyroscope install` ' +
          'applies the configuration again',
  });
}

/**
 * What status trusts when it asks the door's health: the state's CA, or, without any state, the
 * CA certificate the web host keeps (public, mode 0644: read over SSH, no root); null for a plain door.
 */
async function doorTrustForStatus(
  topology: Topology,
  state: { secrets: Secrets } | undefined,
  web: Host,
): Promise<TlsTrust | null> {
  if (state) return doorTrust(topology, state.secrets);
  if (topology.frontDoorTls === 'off') return null;
  const ca = await web.remote
    .exec(['cat', '--', remotePath({ tier: 'web', path: TLS_CA_PATH })], { timeoutMs: 10_000 })
    .catch(() => undefined);
  return ca?.code === 0 && ca.stdout.includes('BEGIN CERTIFICATE') ? { ca: ca.stdout } : null;
}

/** Each component: present, running, healthy, and its drift from what install would apply now. */
export const statusPhase: Phase<StatusContext> = {
  id: 'status',
  title: 'Read each component',
  readOnly: true,
  async run(ctx, io) {
    const { topology, hosts } = ctx;
    const addresses = await tierAddresses(topology, hosts, true);
    let found: FoundState | undefined;
    let unread = '';
    try {
      found = await localOrHostState(ctx.statePath, topology.environment, hosts, io);
    } catch (error) {
      if (!isHealError(error) || error.code !== 'state.hosts') throw error;
      unread = ` (${error.message})`;
    }
    const state = found?.state;
    // A tenant without a password yet (added to the config since the last install) gets one for
    // this comparison only: the door's files then differ, as install would change them.
    const specs = state
      ? desiredStack(topology, addresses, withTenantPasswords(state.secrets, topology.tenants), ctx.frontDoor).specs
      : [];
    const note =
      found?.source === 'hosts'
        ? fromHostsNote(ctx.statePath)
        : state
          ? undefined
          : `no local state at ${ctx.statePath}: settings cannot be compared (only presence, image and health)${unread}`;
    const components: ComponentStatus[] = [];
    for (const c of COMPONENTS) {
      if (c.name === 'haproxy' && ctx.frontDoor === 'external') continue;
      const host = hosts.forTier(c.tier);
      if (!host.connection) continue;
      const name = containerName(c);
      const wanted = specs.find((s) => s.component === c.name);
      let found: ContainerDetails | undefined;
      try {
        found = await host.remote.engine.inspectContainer(name);
      } catch (error) {
        // One host's engine being down is a finding about its components, not the end of status.
        if (!isHealError(error)) throw error;
        components.push({
          component: c.name,
          machine: host.name,
          container: name,
          present: false,
          running: false,
          healthy: false,
          image: null,
          version: null,
          ports: [],
          drift: [error.message],
        });
        continue;
      }
      let healthy = false;
      if (found?.running) {
        const port = wanted ? healthPort(wanted) : c.name === 'grafana' ? topology.grafanaPort : c.health.port;
        const address = wanted
          ? healthAddress(wanted, addresses[c.tier])
          : c.name === 'grafana'
            ? consoleAddress(topology.consolesPublished, addresses[c.tier])
            : addresses[c.tier];
        const tls = c.name === 'haproxy' ? await doorTrustForStatus(topology, state, host) : null;
        healthy = await host.remote
          .httpGet(address, port, component(c.name).health.path, { timeoutMs: 3000, ...(tls ? { tls } : {}) })
          .then(
            (a) => a.status === 200,
            () => false,
          );
      }
      const drift = driftOf(wanted, found);
      if (found?.running && !healthy) drift.push('does not answer its health endpoint');
      components.push({
        component: c.name,
        machine: host.name,
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
    const { disks, volumes } = await storageOf(hosts);
    const warnings = disks
      .filter((d) => d.freePercent !== null && d.freePercent < LOW_DISK_PERCENT)
      .map(
        (d) =>
          `${d.machine}: ${d.mount} (the Docker root, where the data volumes live) has ${d.freePercent}% free ` +
          `(${gib(d.availableBytes)} GiB): lower retention.profiles or retention.traces, or give it more space`,
      );
    const tls =
      topology.frontDoorTls !== 'off' && state?.secrets.frontDoorTls
        ? frontDoorTlsStatus(state.secrets.frontDoorTls.certificate, new Date(), topology.frontDoorTls)
        : null;
    if (tls?.warning) warnings.push(tls.warning);
    const flows = components.some((c) => c.present) ? await flowsOf(topology, ctx.frontDoor, hosts, addresses) : [];
    const unreachable = unreachableServers(hosts);
    const ok =
      unreachable.length === 0 &&
      components.every((c) => c.healthy && c.drift.length === 0) &&
      flows.every((f) => f.drift === null);
    ctx.report = {
      ok,
      environment: topology.environment,
      components,
      disks,
      volumes,
      flows,
      frontDoorTls: tls?.status ?? null,
      warnings,
      lastChanges: await lastChangesOf(hosts),
      unreachable,
      state: found?.source ?? 'none',
      ...(note ? { note } : {}),
    };
    const healthy = components.filter((c) => c.healthy).length;
    return `${healthy} of ${components.length} component(s) healthy`;
  },
};

/**
 * Each reached server's flow rules against what install would apply now. A flow whose source cannot
 * be asked (unreachable, no route) leaves its destination's rules unjudged, said as drift.
 */
async function flowsOf(
  topology: Topology,
  frontDoor: FrontDoor,
  hosts: Inventory,
  addresses: TierAddresses,
): Promise<FlowStatus[]> {
  const settings = { ...topology, frontDoor };
  const reached = hosts.servers().filter((h) => h.connection);
  const held = new Map(await Promise.all(reached.map(async (h) => [h.name, await readHeldRules(h)] as const)));
  let wanted: MachineRules[] = [];
  let unjudged: string | null = null;
  if (topology.restrictFlows) {
    // Status reaches the servers only: the targets' sources are those the web machine's rules hold.
    const web = held.get(hosts.forTier('web').name);
    const targets = async () => (web ? heldTargets(web, topology.frontDoorAllowFrom) : []);
    wanted = await wantedRules(hosts, addresses, settings, targets).catch((error: unknown) => {
      unjudged = `flow rules not judged: ${error instanceof Error ? error.message : String(error)}`;
      return [];
    });
  }
  const destinations = ruleMachines(hosts, settings);
  const flows: FlowStatus[] = [];
  for (const host of reached) {
    const holds = held.get(host.name) ?? { lines: [], jump: false, noIptables: false };
    const want = wanted.find((w) => w.machine === host.name);
    if (want) flows.push({ machine: host.name, rules: describeRules(want), drift: rulesDrift(want, holds) });
    else if (destinations.has(host.name))
      flows.push({ machine: host.name, rules: null, drift: unjudged ?? rulesDrift(null, holds) });
    else if (holdsRules(holds))
      flows.push({
        machine: host.name,
        rules: null,
        drift: topology.restrictFlows
          ? 'holds flow rules it should not'
          : 'holds flow rules, but flows.restrict is off',
      });
  }
  return flows;
}

/** Each reached server's last audit record (what changed it last, by whom, when). */
async function lastChangesOf(hosts: Inventory): Promise<LastChange[]> {
  return Promise.all(
    hosts
      .servers()
      .filter((h) => h.connection)
      .map(async (h): Promise<LastChange> => {
        const e = await lastAuditEntry(h.remote.root);
        const record = e
          ? {
              time: e.time,
              by: e.by,
              command: e.command,
              outcome: e.outcome,
              ...(e.version ? { version: e.version } : {}),
              ...(e.changed ? { changed: e.changed } : {}),
            }
          : null;
        return { machine: h.name, record };
      }),
  );
}

/** Bytes as GiB with one decimal, as status prints them. */
export function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}

/**
 * Each reached server's Docker root filesystem (from the facts the guard read) and the size of each
 * data volume of ours on it. An engine that cannot measure leaves sizes null, never fails status.
 */
async function storageOf(hosts: Inventory): Promise<{ disks: DiskStatus[]; volumes: VolumeStatus[] }> {
  const disks: DiskStatus[] = [];
  const volumes: VolumeStatus[] = [];
  for (const host of hosts.hosts) {
    if (!host.connection || !host.facts) continue;
    const root = host.facts.docker?.rootDir ?? '/var/lib/docker';
    const fs = filesystemOf(host.facts.filesystems, root);
    if (fs) {
      const size = fs.sizeKiB !== undefined && fs.sizeKiB > 0 ? fs.sizeKiB * 1024 : null;
      disks.push({
        machine: host.name,
        mount: fs.mount,
        availableBytes: fs.availableKiB * 1024,
        sizeBytes: size,
        freePercent: size === null ? null : Math.floor((fs.availableKiB * 1024 * 100) / size),
      });
    }
    const ours = COMPONENTS.filter((c) => c.dataPath && host.serves(c.tier));
    if (ours.length === 0 || host.facts.docker === undefined) continue;
    const sizes = await host.remote.engine.volumeSizes().catch(() => new Map<string, number>());
    for (const c of ours) {
      const volume = volumeName(c.name);
      if (!sizes.has(volume)) continue;
      const bytes = sizes.get(volume) ?? -1;
      volumes.push({ machine: host.name, component: c.name, volume, bytes: bytes >= 0 ? bytes : null });
    }
  }
  return { disks, volumes };
}

/** Status as a phase list: connect to the server machines (tolerating an unreachable one), then read. */
export function statusPhases(): Phase<StatusContext>[] {
  return [connectPhaseFor('reported', 'Connect to the server hosts'), guardWarningPhase, statusPhase];
}
