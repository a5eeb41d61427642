// `verify` as a phase list: connect to every host (targets included; one that cannot be reached is
// reported), then prove the data path from each target (data-path.ts). Install's verify phase uses
// the same input and error, so both say the same thing about the same failure.

import { guardWarningPhase } from '../shared/guard.js';
import type { Topology } from '../../config/topology.js';
import { HealError } from '../../core/errors.js';
import { Inventory } from '../../hosts/inventory.js';
import { withTenantPasswords, type Secrets } from '../../state/state-file.js';
import { datasourceUids } from '../../render/grafana.js';
import { fromHostsNote, localOrHostState } from '../shared/host-state.js';
import { connectPhaseFor, type Connector } from '../shared/connect.js';
import { doorTrust, tenantCredentials, tierAddresses, type TierAddresses } from '../../plan/desired-stack.js';
import type { Phase } from '../../runner/phase.js';
import { consoleAddress } from '../../render/render.js';
import {
  dataPathFailures,
  directPaths,
  newVerifyRun,
  signalsFound,
  verifyDataPath,
  type DataPathInput,
  type DataPathReport,
} from './data-path.js';
import { VERIFY_SERVICE } from './synthetic.js';

/** The tenant verify reads as when the config names one tenant only: nobody sends as it. */
export const VERIFY_TENANT_PREFIX = 'heal-verify-';

/** How long accepted data may take to show up in the query APIs before it counts as lost. */
export const DATA_WAIT_MS = 30_000;

/** Who sends (the connected targets, or the web host when the topology has no target) and who reads. */
export function dataPathInput(
  hosts: Inventory,
  addresses: TierAddresses,
  topology: Pick<
    Topology,
    'grafanaPort' | 'restrictFlows' | 'consolesPublished' | 'frontDoorTls' | 'frontDoorAuth' | 'tenants' | 'otlpHttp'
  >,
  secrets: Secrets | null,
  waitMs = DATA_WAIT_MS,
  run = newVerifyRun(),
): DataPathInput {
  const { grafanaPort } = topology;
  const credentials = secrets ? tenantCredentials(topology, withTenantPasswords(secrets, topology.tenants)) : null;
  const sender = credentials?.[0];
  const targets = hosts.serving('target');
  const web = hosts.forTier('web');
  const app = hosts.forTier('app');
  // A target that is also a server (everything on one machine) is a flow's source or reaches its
  // own ports locally: it has no path around the door to prove closed.
  const senders = (targets.length > 0 ? targets : [web])
    .filter((h) => h.connection)
    .map((h) => ({ name: h.name, remote: h.remote, ...(h.isServer ? { tryDirect: false } : {}) }));
  return {
    senders,
    unreachable: targets
      .filter((h) => !h.connection)
      .map((h) => ({ name: h.name, error: h.connectError?.message ?? 'not connected' })),
    web: { name: web.name, address: addresses.web, tls: doorTrust(topology, secrets) },
    app: { name: app.name, address: addresses.app, remote: app.remote },
    db: { name: hosts.forTier('db').name },
    // Another tenant configured, else one nobody sends as: neither may read what the sender sent.
    tenants: sender
      ? { sender, other: credentials.find((t) => t !== sender)?.name ?? `${VERIFY_TENANT_PREFIX}${run}` }
      : null,
    datasourceUids: datasourceUids(topology.frontDoorAuth === 'none' ? null : topology.tenants),
    grafana: secrets
      ? {
          // Grafana as the app host reaches it: on its loopback unless published.
          address: consoleAddress(topology.consolesPublished, addresses.app),
          port: grafanaPort,
          user: secrets.grafanaAdminUser,
          password: secrets.grafanaAdminPassword,
        }
      : null,
    // Only targets are refused: the web host (the sender when there is no target) is a flow's source.
    direct:
      topology.restrictFlows && targets.length > 0
        ? directPaths(addresses, { web: web.name, app: app.name, db: hosts.forTier('db').name }, topology)
        : [],
    waitMs,
  };
}

export function dataPathSummary(report: DataPathReport): string {
  const found = report.targets.filter(signalsFound);
  const delays = found.flatMap((t) => [t.profile.delayMs ?? 0, t.trace.delayMs ?? 0]);
  const slowest = delays.length > 0 ? `, slowest after ${Math.max(...delays)} ms` : '';
  const direct = report.targets.flatMap((t) => t.direct);
  const refused =
    direct.length > 0
      ? `; ${direct.filter((c) => !c.open).length} of ${direct.length} path(s) around the door refused`
      : '';
  return `${found.length} of ${report.targets.length} target(s): profile and span found${slowest}${refused}`;
}

/** The data path's failures as one error: which target, which signal, which hop, and the remedy. */
export function dataPathError(report: DataPathReport, code: string): HealError {
  const failures = dataPathFailures(report);
  const broken = report.targets.filter((t) => !signalsFound(t)).map((t) => t.target);
  const holes = report.targets.filter((t) => t.direct.some((c) => c.open));
  const shared = report.targets.filter((t) => t.profile.isolated === false || t.trace.isolated === false);
  const message =
    broken.length > 0
      ? `data from ${broken.join(', ')} does not reach the stack ` +
        `(${[...new Set(report.targets.flatMap((t) => [t.profile.hop, t.trace.hop]).filter((h) => h !== null))].join(', ')})`
      : holes.length > 0
        ? `${holes.map((t) => t.target).join(', ')} reach${holes.length === 1 ? 'es' : ''} the stack around the front ` +
          `door (${[...new Set(holes.flatMap((t) => t.direct.filter((c) => c.open).map((c) => `${c.machine}:${c.port}`)))].join(', ')})`
        : shared.length > 0
          ? `data from ${shared.map((t) => t.target).join(', ')} is readable as another tenant`
          : report.authentication?.ok === false
            ? 'the front door takes data without credentials'
            : 'Grafana cannot query a data source';
  return new HealError({
    code,
    message,
    details: failures.map((f) => f.line),
    hint: failures.find((f) => f.remedy)?.remedy ?? 'see `heal-pyroscope status`',
  });
}

export interface VerifyContext {
  topology: Topology;
  statePath: string;
  connect: Connector;
  /** Every machine, targets included. */
  hosts: Inventory;
  waitMs: number;
  /** Written by the data-path phase; until then, this run's label and nothing checked (not ok). */
  report: DataPathReport;
}

export function newVerifyContext(init: Omit<VerifyContext, 'hosts' | 'report'>): VerifyContext {
  return {
    ...init,
    hosts: Inventory.of(init.topology),
    report: {
      ok: false,
      authentication: null,
      service: VERIFY_SERVICE,
      run: newVerifyRun(),
      targets: [],
      datasources: [],
    },
  };
}

export const dataPathPhase: Phase<VerifyContext> = {
  id: 'data-path',
  title: `Send a profile and a span from each target (service ${VERIFY_SERVICE}) and read them back`,
  readOnly: true,
  async run(ctx, io) {
    for (const tier of ['web', 'app'] as const) {
      const host = ctx.hosts.forTier(tier);
      if (!host.connection) {
        throw new HealError({
          code: 'verify.unreachable',
          message: `cannot connect to ${host.name} (${tier}): the data path cannot be read back`,
          hint: host.connectError?.hint ?? 'run `heal-pyroscope preflight` for details',
        });
      }
    }
    const addresses = await tierAddresses(ctx.topology, ctx.hosts, true);
    const found = await localOrHostState(ctx.statePath, ctx.topology.environment, ctx.hosts, io);
    if (found?.source === 'hosts') io.progress(fromHostsNote(ctx.statePath), 'state');
    ctx.report = await verifyDataPath(
      dataPathInput(ctx.hosts, addresses, ctx.topology, found?.state.secrets ?? null, ctx.waitMs, ctx.report.run),
      ctx.report.run,
    );
    const summary = dataPathSummary(ctx.report);
    return ctx.report.ok ? summary : { summary, verdict: 'fail' };
  },
  dryRun: () => [
    `from each target, send a synthetic profile and span (service ${VERIFY_SERVICE}) through the front door ` +
      `and read both back`,
  ],
};

export function verifyPhases(): Phase<VerifyContext>[] {
  return [connectPhaseFor('reported'), guardWarningPhase, dataPathPhase];
}
