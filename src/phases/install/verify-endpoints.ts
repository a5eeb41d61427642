// Phase: prove the stack answers where it will be used: through the front door as a target host
// reaches it (up, forwarding ingest to Pyroscope, refusing queries), Pyroscope as the web host
// reaches it, Tempo's and Grafana's HTTP APIs on the app host, Grafana with both data sources;
// then the data path itself, from every target (src/phases/verify, shared with `verify`).

import { backoffMs } from '../../core/backoff.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { HealError } from '../../core/errors.js';
import type { HostHandle, HttpGetResult, TlsTrust } from '../../remote/index.js';
import { doorTrust, tenantCredentials } from '../../plan/desired-stack.js';
import { datasourceUids } from '../../render/grafana.js';
import { consoleAddress } from '../../render/render.js';
import { basicAuthorization, FRONT_DOOR_REFUSAL } from '../../render/haproxy.js';
import { PORTS } from '../../render/ports.js';
import { component } from '../../stack/manifest.js';
import type { CheckedEndpoint, PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { verifyDataPath } from '../verify/data-path.js';
import { dataPathError, dataPathInput, dataPathSummary } from '../verify/verify-phases.js';
import { VERIFY_SERVICE } from '../verify/synthetic.js';

/** Why an answer is wrong, or null when it is what the probe expects. */
export type AnswerJudge = (answer: HttpGetResult) => string | null;

export interface Probe {
  what: string;
  from: HostHandle;
  host: string;
  port: number;
  path: string;
  headers?: Record<string, string>;
  /** Default: HTTP 200. */
  expect?: AnswerJudge;
  /** How long an HTTP 503 is asked again, when longer than PROBE_SETTLE_MS (see FRONT_DOOR_SETTLE_MS). */
  unavailableSettleMs?: number;
  /** HTTPS, trusting this CA only (the front door with `frontDoor.tls`). */
  tls?: TlsTrust;
}

function shortBody(answer: HttpGetResult): string {
  return answer.body.trim().slice(0, 120);
}

export const answersOk: AnswerJudge = (a) => (a.status === 200 ? null : `HTTP ${a.status} ${shortBody(a)}`);

/** HAProxy's own 404 for a path the front door does not forward (its body names the door). */
export function refusedByFrontDoor(a: HttpGetResult): boolean {
  return a.status === 404 && a.body.includes(FRONT_DOOR_REFUSAL);
}

/**
 * An ingest path went through the door to Pyroscope: any answer but the door's refusal and
 * HAProxy's 5xx (no server up, bad gateway, timeout). A GET carries no profile, so Pyroscope
 * refuses it itself (its push routes take POST only: 405); that answer proves the route.
 */
export const reachedPyroscope: AnswerJudge = (a) => {
  if (refusedByFrontDoor(a)) return 'HTTP 404 from the front door itself: it does not forward this ingest path';
  if (a.status >= 500) return `HTTP ${a.status} ${shortBody(a)}: Pyroscope did not answer through the door`;
  return null;
};

/** A query path gets the door's own 404: nothing behind it is reachable from a target. */
export const refusedQuery: AnswerJudge = (a) =>
  refusedByFrontDoor(a)
    ? null
    : `HTTP ${a.status} ${shortBody(a)}: the front door forwards a query path; it must answer 404 itself`;

export function datasourcesProblem(text: string, expected: readonly string[]): string | null {
  try {
    const list = JSON.parse(text) as Array<{ uid?: string }>;
    const uids = new Set(list.map((d) => d.uid));
    const missing = expected.filter((u) => !uids.has(u));
    return missing.length === 0 ? null : `data source(s) ${missing.join(', ')} not provisioned`;
  } catch {
    return 'the answer is not a JSON list of data sources';
  }
}

/** The probe's verdict, with the HTTP status it was given (none when nothing answered). */
async function ask(p: Probe): Promise<{ checked: CheckedEndpoint; status?: number }> {
  const url = `${p.tls ? 'https' : 'http'}://${p.host}:${p.port}${p.path}`;
  try {
    const answer = await p.from.httpGet(p.host, p.port, p.path, {
      timeoutMs: 5000,
      ...(p.headers ? { headers: p.headers } : {}),
      ...(p.tls ? { tls: p.tls } : {}),
    });
    const wrong = (p.expect ?? answersOk)(answer);
    const detail = `from ${p.from.name}: ${wrong ?? `HTTP ${answer.status}`}`;
    return { checked: { what: p.what, url, ok: wrong === null, detail }, status: answer.status };
  } catch (error) {
    return { checked: { what: p.what, url, ok: false, detail: `from ${p.from.name}: ${(error as Error).message}` } };
  }
}

/** How long a failing probe is asked again: a stack started a moment ago may still be settling. */
export const PROBE_SETTLE_MS = 3000;

/**
 * How long the front door may answer 503 (no server up behind it): a server HAProxy marked down
 * (its engine restarted with the host, say) is back only after HAProxy's `rise` checks (2 by
 * default), `inter 10s` apart (templates/haproxy/front-door.cfg), so an install that finds
 * everything unchanged right after a restart waits that long, and 5 s more, before calling the
 * door broken. Any other wrong answer from the door is not waited for longer than the others.
 */
export const FRONT_DOOR_SETTLE_MS = 25_000;

/**
 * A probe asked again while it fails, backing off from 100 ms, until `settleMs` has passed: the
 * front door's first look at a server it has just started to check, or a component that answered
 * its health check a moment ago, must not fail an install that a second later is fine. A probe
 * that still fails then is reported with its last answer.
 */
export async function settledProbe(p: Probe, settleMs = PROBE_SETTLE_MS): Promise<CheckedEndpoint> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const { checked, status } = await ask(p);
    const delay = backoffMs(attempt, { firstMs: 100, factor: 2, capMs: 1000 });
    const limit = status === 503 ? Math.max(settleMs, p.unavailableSettleMs ?? 0) : settleMs;
    if (checked.ok || Date.now() + delay - started > limit) return checked;
    await sleep(delay);
  }
}

export function verifyProbes(ctx: PlannedInstall): Probe[] {
  const web = ctx.hosts.forTier('web');
  const app = ctx.hosts.forTier('app');
  const a = ctx.planned.addresses;
  // The front door as an agent reaches it: from a target when one is connected.
  const target = ctx.hosts.serving('target').find((h) => h.connection);
  const agentHost = (target ?? web).remote;
  const s = ctx.planned.state.current.secrets;
  const tenants = tenantCredentials(ctx.topology, s);
  const uids = datasourceUids(tenants === null ? null : tenants.map((t) => t.name));
  const probes: Probe[] = [];
  if (ctx.options.frontDoor === 'container') {
    const trust = doorTrust(ctx.topology, s);
    const door = {
      from: agentHost,
      host: a.web,
      port: PORTS.frontDoor,
      unavailableSettleMs: FRONT_DOOR_SETTLE_MS,
      ...(trust ? { tls: trust } : {}),
    };
    probes.push(
      { what: 'Front door', ...door, path: component('haproxy').health.path },
      {
        what: 'Pyroscope through the front door',
        ...door,
        path: '/ingest',
        // As an agent of the first tenant: without credentials the door itself answers (401).
        ...(tenants?.[0] ? { headers: { Authorization: basicAuthorization(tenants[0]) } } : {}),
        expect: reachedPyroscope,
      },
      { what: 'Front door refuses queries', ...door, path: '/api/search', expect: refusedQuery },
    );
  }
  probes.push(
    {
      what: 'Pyroscope',
      from: web.remote,
      host: a.app,
      port: PORTS.pyroscope,
      path: component('pyroscope').health.path,
    },
    // Only Grafana, beside Tempo on the app host, uses Tempo's HTTP API: no other host needs port 3200.
    { what: 'Tempo', from: app.remote, host: a.app, port: PORTS.tempoHttp, path: component('tempo').health.path },
    {
      what: 'Grafana',
      from: app.remote,
      host: consoleAddress(ctx.topology.consolesPublished, a.app),
      port: ctx.topology.grafanaPort,
      path: component('grafana').health.path,
    },
    {
      what: 'Grafana data sources',
      from: app.remote,
      host: consoleAddress(ctx.topology.consolesPublished, a.app),
      port: ctx.topology.grafanaPort,
      path: '/api/datasources',
      headers: {
        Authorization: `Basic ${Buffer.from(`${s.grafanaAdminUser}:${s.grafanaAdminPassword}`).toString('base64')}`,
      },
      expect: (answer) => answersOk(answer) ?? datasourcesProblem(answer.body, uids),
    },
  );
  return probes;
}

export const verifyPhase: Phase<PlannedInstall> = {
  id: 'verify',
  title: 'Verify',
  readOnly: false,
  async run(ctx) {
    const verified = await Promise.all(verifyProbes(ctx).map((p) => settledProbe(p)));
    ctx.report.verified = verified;
    const failed = verified.filter((v) => !v.ok);
    if (failed.length > 0) {
      throw new HealError({
        code: 'install.verify',
        message: `${failed.length} of ${verified.length} endpoint(s) do not answer as they should`,
        details: failed.map((f) => `${f.what} ${f.url}: ${f.detail}`),
        hint:
          "see `heal-pyroscope status` and the containers' logs; run install again with --no-rollback to " +
          'keep the state for debugging',
      });
    }
    // An external front door serves the snippet only once its operator reloads HAProxy: `verify` then.
    if (ctx.options.frontDoor === 'external')
      return (
        `${verified.length} endpoint(s) answer; data path not checked (external front door): reload ` +
        `your HAProxy, then run \`heal-pyroscope verify\``
      );
    const dataPath = await verifyDataPath(
      dataPathInput(ctx.hosts, ctx.planned.addresses, ctx.topology, ctx.planned.state.current.secrets),
    );
    ctx.report.dataPath = dataPath;
    if (!dataPath.ok) throw dataPathError(dataPath, 'install.verify');
    return `${verified.length} endpoint(s) answer; ${dataPathSummary(dataPath)}`;
  },
  dryRun: () => [
    'check the front door (up, forwards ingest to Pyroscope, refuses queries), Pyroscope and Tempo on their ' +
      'ports, Grafana and its data sources',
    `from each target, send a synthetic profile and span (service ${VERIFY_SERVICE}) through the front door ` +
      `and read both back (not with an external front door); ask Grafana's data-source health checks`,
  ],
};
