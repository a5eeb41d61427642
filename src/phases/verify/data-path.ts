// The data path, proven end to end: from each target, one synthetic profile (Pyroscope's HTTP
// ingest) and one OTLP span (gRPC) through the front door, as an agent there sends them, each over
// a channel of the target's own SSH connection; then both read back where Grafana reads them, from
// the app host; and Grafana's health check of both provisioned data sources. A failure names the
// hop that broke (target -> web, web -> app, app -> db) and what to do about it.

import { randomBytes } from 'node:crypto';
import { isHealError } from '../../core/errors.js';
import type { GrpcCallResult, HostHandle, HttpGetResult, TlsTrust } from '../../remote/index.js';
import type { TenantCredentials } from '../../render/context.js';
import { TENANT_HEADER } from '../../render/grafana.js';
import { basicAuthorization, FRONT_DOOR_REFUSAL, FRONT_DOOR_UNAUTHORIZED } from '../../render/haproxy.js';
import { PORTS } from '../../render/ports.js';
import { restrictedFlows } from '../../stack/flow-rules.js';
import type { StackOptions } from '../../stack/manifest.js';
import { COMPONENTS } from '../../stack/manifest.js';
import {
  ingestRequest,
  OTLP_EXPORT_PATH,
  otlpExportRequest,
  renderHasSamples,
  renderPath,
  syntheticData,
  traceHasSpans,
  tracePath,
  VERIFY_SERVICE,
  type SyntheticData,
} from './synthetic.js';

export type Hop = 'target -> web' | 'web -> app' | 'app -> db';

export interface SignalCheck {
  /** The request reached the front door (a connection was made and answered). */
  sent: boolean;
  /** The backend behind the door accepted it (HTTP 200, grpc-status 0). */
  stored: boolean;
  /** Read back from the backend's query API on the app host. */
  found: boolean;
  /** From the send to the first read that found it, in milliseconds. */
  delayMs: number | null;
  /** The hop that broke, when it did. */
  hop: Hop | null;
  /**
   * Not readable as another tenant (the send also named that tenant in its own X-Scope-OrgID, which
   * the door must drop); null without tenants or when not found.
   */
  isolated: boolean | null;
  /** The way the signal travels, e.g. `target-01 -> 10.0.0.2:9940 -> app:4040 (Pyroscope /ingest)`. */
  path: string;
  detail: string;
  remedy: string | null;
}

/** A path around the front door, tried from a target: it must be refused. */
export interface DirectPath {
  /** e.g. `Pyroscope HTTP API`. */
  service: string;
  machine: string;
  address: string;
  port: number;
}

export interface DirectCheck extends DirectPath {
  /** The target could open a connection: the path is open, and verify fails. */
  open: boolean;
  /** What the probe saw (refused, timeout, ...). */
  state: string;
}

export interface TargetCheck {
  target: string;
  ok: boolean;
  profile: SignalCheck;
  trace: SignalCheck;
  /** The paths around the front door this target tried (none when `flows.restrict` is off). */
  direct: DirectCheck[];
}

export interface DatasourceCheck {
  uid: string;
  ok: boolean;
  message: string;
}

/** A push without credentials, refused by the front door (`frontDoor.auth: tenants`). */
export interface AuthenticationCheck {
  ok: boolean;
  /** What the door answered to an HTTP push and to a gRPC export without credentials. */
  detail: string;
}

export interface DataPathReport {
  ok: boolean;
  /** Null when the door takes anyone's data (`frontDoor.auth: none`). */
  authentication: AuthenticationCheck | null;
  /** The service name of the synthetic data. */
  service: string;
  /** This run's label value (`verify_run`, span attribute `verify.run`). */
  run: string;
  targets: TargetCheck[];
  datasources: DatasourceCheck[];
}

export interface DataPathInput {
  /**
   * Where agents send from: the connected targets (or the web host when there are none). Each tries
   * the `direct` paths unless `tryDirect` is false (a target that is also a server machine).
   */
  senders: Array<{ name: string; remote: HostHandle; tryDirect?: boolean }>;
  /** Targets without an SSH connection: reported, not tested. */
  unreachable: Array<{ name: string; error: string }>;
  /** `tls`: the door speaks TLS and agents trust this CA; null for a plain door. */
  web: { name: string; address: string; tls: TlsTrust | null };
  app: { name: string; address: string; remote: HostHandle };
  db: { name: string };
  /**
   * The tenant the senders send as, and another tenant (a second one configured, or one nobody
   * uses) that must not read what they sent; null when the door takes anyone (`frontDoor.auth: none`).
   */
  tenants: { sender: TenantCredentials; other: string } | null;
  /** The provisioned data sources Grafana must find healthy. */
  datasourceUids: string[];
  /** Grafana's admin credentials and port; never printed. */
  grafana: { address: string; port: number; user: string; password: string } | null;
  /** Paths around the front door each sender must find refused. */
  direct: DirectPath[];
  /** How long to wait for data to show up after it was accepted. */
  waitMs: number;
  sendTimeoutMs?: number;
  pollMs?: number;
  /** Between two sends the door answered 503 (default 1 s). */
  resendMs?: number;
}

/**
 * How long a send the front door answers 503 ("no server is up behind it") is tried again: HAProxy
 * marks a server UP only after `rise` (2) checks `inter` (10 s) apart, so after an app engine
 * restarts, each backend comes back on its own check, up to ~20 s later. Capped by the wait.
 */
export const DOOR_SETTLE_MS = 25_000;

const SEND_TIMEOUT_MS = 8000;
const POLL_MS = 300;

/** A door answer that is HAProxy's own: its refusal (404) or no server behind it (502, 503, 504). */
function doorFailure(status: number, body: string, grpc = false): { hop: Hop; why: string } | null {
  if (status === 401 && (grpc || body.includes(FRONT_DOOR_UNAUTHORIZED)))
    return {
      hop: 'target -> web',
      why:
        "the front door refused the tenant's credentials (HTTP 401): it does not take the ones this stack's " +
        'state holds; run `heal-pyroscope install` to write them',
    };
  if (status === 404 && body.includes(FRONT_DOOR_REFUSAL))
    return {
      hop: 'target -> web',
      why: 'the front door refuses this ingest path (its configuration is not the one install writes)',
    };
  if (status === 502 || status === 503 || status === 504)
    return {
      hop: 'web -> app',
      why:
        `the front door answered HTTP ${status}: no ` +
        `${status === 503 ? 'server is up' : 'answer from the server'} behind it`,
    };
  return null;
}

interface Leg {
  what: string;
  appPort: number;
  component: string;
}
const PROFILE: Leg = { what: 'Pyroscope /ingest', appPort: PORTS.pyroscope, component: 'Pyroscope' };
const TRACE: Leg = { what: 'Tempo OTLP gRPC', appPort: PORTS.tempoOtlpGrpc, component: "Tempo's OTLP receiver" };

function remedyFor(hop: Hop, leg: Leg, input: DataPathInput, sender: string): string {
  switch (hop) {
    case 'target -> web':
      return (
        `open TCP ${input.web.address}:${PORTS.frontDoor} from ${sender} to ${input.web.name} ` +
        `(firewall, security group); \`heal-pyroscope preflight\` tests this flow`
      );
    case 'web -> app':
      return (
        `check that ${leg.component} runs on ${input.app.name} (\`heal-pyroscope status\`) and that ` +
        `${input.web.name} reaches ${input.app.address}:${leg.appPort} (\`heal-pyroscope preflight\`)`
      );
    case 'app -> db':
      return (
        `${leg.component.replace("'s OTLP receiver", '')} accepted the data but does not return it: ` +
        `check its storage, MinIO on ${input.db.name} (\`heal-pyroscope status\`, the container's logs)`
      );
  }
}

function sendFailure(error: unknown, input: DataPathInput): { hop: Hop; why: string; refused?: boolean } {
  const message = (error as Error).message;
  if (/connection refused/i.test(message))
    return {
      hop: 'target -> web',
      why: `nothing listens on ${input.web.address}:${PORTS.frontDoor} (${message})`,
      refused: true,
    };
  if (isHealError(error) && error.code === 'remote.http-timeout')
    return { hop: 'web -> app', why: `${message}: the front door holds the request (nothing behind it answers)` };
  if (isHealError(error) && error.code === 'remote.grpc-timeout')
    return { hop: 'web -> app', why: `${message}: the front door holds the request (nothing behind it answers)` };
  return { hop: 'target -> web', why: message };
}

function blank(path: string): SignalCheck {
  return {
    sent: false,
    stored: false,
    found: false,
    delayMs: null,
    hop: null,
    isolated: null,
    path,
    detail: '',
    remedy: null,
  };
}

/** The headers an agent of the sending tenant sends, plus another tenant's X-Scope-OrgID the door must drop. */
function senderHeaders(input: DataPathInput): Record<string, string> {
  if (!input.tenants) return {};
  return { Authorization: basicAuthorization(input.tenants.sender), [TENANT_HEADER]: input.tenants.other };
}

/** The header Grafana's data sources send to read as `tenant`. */
function readHeaders(tenant: string | null): Record<string, string> {
  return tenant === null ? {} : { [TENANT_HEADER]: tenant };
}

/** Polls `found` until it says yes or `waitMs` passed; the delay since `sentAt`, or null. */
async function readBack(
  found: () => Promise<boolean>,
  sentAt: number,
  waitMs: number,
  pollMs: number,
): Promise<number | null> {
  const deadline = sentAt + waitMs;
  for (;;) {
    if (await found().catch(() => false)) return Date.now() - sentAt;
    if (Date.now() + pollMs > deadline) return null;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function checkSignal(
  leg: Leg,
  input: DataPathInput,
  sender: string,
  send: () => Promise<{ answer: string; failure: { hop: Hop; why: string } | null; unavailable?: boolean }>,
  found: (tenant: string | null) => Promise<boolean>,
): Promise<SignalCheck> {
  const check = blank(
    `${sender} -> ${input.web.address}:${PORTS.frontDoor} -> ${input.app.address}:${leg.appPort} (${leg.what})`,
  );
  let sentAt = Date.now();
  const settleUntil = sentAt + Math.min(DOOR_SETTLE_MS, input.waitMs);
  let failure: { hop: Hop; why: string } | null;
  try {
    let sent = await send();
    // No server up behind the door yet (HAProxy's health checks lag a restart): send again.
    while (sent.unavailable && Date.now() + (input.resendMs ?? 1000) < settleUntil) {
      await new Promise((r) => setTimeout(r, input.resendMs ?? 1000));
      sentAt = Date.now();
      sent = await send();
    }
    check.sent = true;
    failure = sent.failure;
    check.detail = sent.answer;
  } catch (error) {
    const failed = sendFailure(error, input);
    check.sent = failed.hop !== 'target -> web';
    // Refused: the flow is open but the door is not there (not installed, or HAProxy stopped).
    if (failed.refused)
      return {
        ...check,
        hop: failed.hop,
        detail: failed.why,
        remedy:
          `start the front door on ${input.web.name} (\`heal-pyroscope status\`; \`heal-pyroscope ` +
          `install\` puts it back)`,
      };
    failure = failed;
  }
  if (failure)
    return { ...check, hop: failure.hop, detail: failure.why, remedy: remedyFor(failure.hop, leg, input, sender) };
  check.stored = true;
  const tenant = input.tenants?.sender.name ?? null;
  const delay = await readBack(() => found(tenant), sentAt, input.waitMs, input.pollMs ?? POLL_MS);
  if (delay === null) {
    const why =
      `accepted (${check.detail}) but not found on ${input.app.name} within ` + `${Math.round(input.waitMs / 1000)} s`;
    return { ...check, hop: 'app -> db', detail: why, remedy: remedyFor('app -> db', leg, input, sender) };
  }
  const done = { ...check, found: true, delayMs: delay, detail: `${check.detail}; found after ${delay} ms` };
  if (!input.tenants) return done;
  const other = input.tenants.other;
  const leaked = await found(other).catch(() => false);
  if (!leaked) return { ...done, isolated: true };
  return {
    ...done,
    isolated: false,
    detail: `${done.detail}, and readable as tenant ${other} too`,
    remedy:
      `${leg.component.replace("'s OTLP receiver", '')} on ${input.app.name} keeps tenants together, or the front ` +
      `door lets a client choose its tenant: run \`heal-pyroscope install\` to put both configurations back`,
  };
}

function profileCheck(
  input: DataPathInput,
  sender: { name: string; remote: HostHandle },
  d: SyntheticData,
): Promise<SignalCheck> {
  const timeoutMs = input.sendTimeoutMs ?? SEND_TIMEOUT_MS;
  return checkSignal(
    PROFILE,
    input,
    sender.name,
    async () => {
      const request = ingestRequest(d, Date.now());
      const a: HttpGetResult = await sender.remote.httpGet(input.web.address, PORTS.frontDoor, request.path, {
        method: 'POST',
        body: request.body,
        timeoutMs,
        headers: { 'Content-Type': 'text/plain', ...senderHeaders(input) },
        ...(input.web.tls ? { tls: input.web.tls } : {}),
      });
      const door = doorFailure(a.status, a.body);
      if (door) return { answer: `HTTP ${a.status}`, failure: door, unavailable: a.status === 503 };
      if (a.status !== 200)
        return {
          answer: `HTTP ${a.status}`,
          failure: {
            hop: 'web -> app',
            why: `Pyroscope refused the profile: HTTP ${a.status} ${a.body.trim().slice(0, 120)}`,
          },
        };
      return { answer: 'HTTP 200', failure: null };
    },
    async (tenant) => {
      const a = await input.app.remote.httpGet(input.app.address, PORTS.pyroscope, renderPath(d), {
        timeoutMs: 5000,
        headers: readHeaders(tenant),
      });
      return a.status === 200 && renderHasSamples(a.body);
    },
  );
}

function traceCheck(
  input: DataPathInput,
  sender: { name: string; remote: HostHandle },
  d: SyntheticData,
): Promise<SignalCheck> {
  const timeoutMs = input.sendTimeoutMs ?? SEND_TIMEOUT_MS;
  return checkSignal(
    TRACE,
    input,
    sender.name,
    async () => {
      const a: GrpcCallResult = await sender.remote.grpcCall(
        input.web.address,
        PORTS.frontDoor,
        OTLP_EXPORT_PATH,
        otlpExportRequest(d, Date.now()),
        {
          timeoutMs,
          ...(input.web.tls ? { tls: input.web.tls } : {}),
          metadata: senderHeaders(input),
        },
      );
      const door = doorFailure(a.httpStatus, '', true);
      if (door || a.httpStatus === 404)
        return {
          unavailable: a.httpStatus === 503,
          answer: `HTTP ${a.httpStatus}`,
          failure: door ?? {
            hop: 'target -> web',
            why: `the front door answered HTTP 404: it does not forward ${OTLP_EXPORT_PATH}`,
          },
        };
      if (a.grpcStatus !== 0) {
        const why =
          a.grpcStatus === null
            ? `HTTP ${a.httpStatus} without a gRPC status`
            : `grpc-status ${a.grpcStatus}${a.grpcMessage ? ` (${a.grpcMessage})` : ''}`;
        // 14 UNAVAILABLE: no receiver behind the door.
        return { answer: why, failure: { hop: 'web -> app', why: `the span was refused: ${why}` } };
      }
      return { answer: 'grpc-status 0', failure: null };
    },
    async (tenant) => {
      const a = await input.app.remote.httpGet(input.app.address, PORTS.tempoHttp, tracePath(d), {
        timeoutMs: 5000,
        headers: { Accept: 'application/json', ...readHeaders(tenant) },
      });
      return a.status === 200 && traceHasSpans(a.body);
    },
  );
}

/** Grafana's own health check of a provisioned data source (what "Save & test" runs). */
async function datasourceCheck(
  input: DataPathInput,
  g: NonNullable<DataPathInput['grafana']>,
  uid: string,
): Promise<DatasourceCheck> {
  const auth = `Basic ${Buffer.from(`${g.user}:${g.password}`).toString('base64')}`;
  try {
    const a = await input.app.remote.httpGet(g.address, g.port, `/api/datasources/uid/${uid}/health`, {
      timeoutMs: 10_000,
      headers: { Authorization: auth },
    });
    let status = '';
    let message = a.body.trim().slice(0, 200);
    try {
      const parsed = JSON.parse(a.body) as { status?: string; message?: string };
      status = parsed.status ?? '';
      message = parsed.message ?? message;
    } catch {
      // Not JSON (a proxy's page): the body itself is the message.
    }
    const ok = a.status === 200 && status === 'OK';
    return { uid, ok, message: ok ? message : `HTTP ${a.status}${status ? ` ${status}` : ''}: ${message}` };
  } catch (error) {
    return { uid, ok: false, message: (error as Error).message };
  }
}

/**
 * From the first sender, a profile push and an OTLP export without credentials: the door must
 * answer both with its own 401, before anything reaches Pyroscope or Tempo.
 */
async function authenticationCheck(input: DataPathInput, d: SyntheticData): Promise<AuthenticationCheck | null> {
  const sender = input.senders[0];
  if (!input.tenants || !sender) return null;
  const timeoutMs = input.sendTimeoutMs ?? SEND_TIMEOUT_MS;
  const tls = input.web.tls ? { tls: input.web.tls } : {};
  const request = ingestRequest(d, Date.now());
  const seen: string[] = [];
  let ok = true;
  try {
    const a = await sender.remote.httpGet(input.web.address, PORTS.frontDoor, request.path, {
      method: 'POST',
      body: request.body,
      timeoutMs,
      headers: { 'Content-Type': 'text/plain' },
      ...tls,
    });
    const refused = a.status === 401 && a.body.includes(FRONT_DOOR_UNAUTHORIZED);
    ok &&= refused;
    seen.push(
      `profile push: HTTP ${a.status}${refused ? '' : ` ${a.body.trim().slice(0, 80)} (expected the door's 401)`}`,
    );
  } catch (error) {
    ok = false;
    seen.push(`profile push: ${(error as Error).message}`);
  }
  try {
    const g = await sender.remote.grpcCall(
      input.web.address,
      PORTS.frontDoor,
      OTLP_EXPORT_PATH,
      otlpExportRequest(d, Date.now()),
      { timeoutMs, ...tls },
    );
    ok &&= g.httpStatus === 401;
    seen.push(
      `OTLP export: HTTP ${g.httpStatus}${g.httpStatus === 401 ? '' : ` grpc-status ${String(g.grpcStatus)} (expected the door's 401)`}`,
    );
  } catch (error) {
    ok = false;
    seen.push(`OTLP export: ${(error as Error).message}`);
  }
  return { ok, detail: `without credentials from ${sender.name}: ${seen.join('; ')}` };
}

/** A fresh `verify_run` label value: this run's data, told apart from every earlier run's. */
/** Each restricted flow's destination ports, as a target would try them around the front door. */
export function directPaths(
  addresses: Readonly<Record<'web' | 'app' | 'db', string>>,
  machines: Readonly<Record<'web' | 'app' | 'db', string>>,
  options: StackOptions,
): DirectPath[] {
  return restrictedFlows(options).flatMap((flow) =>
    flow.ports.map((port) => ({
      service: portTitle(port),
      machine: machines[flow.to],
      address: addresses[flow.to],
      port,
    })),
  );
}

function portTitle(port: number): string {
  for (const c of COMPONENTS) {
    const p = c.ports.find((x) => x.port === port);
    if (p) return `${c.title.split(' (')[0]} ${p.purpose}`;
  }
  return `port ${port}`;
}

/** Connect from the target straight to a service behind the door: refused, or it is a hole. */
async function directCheck(sender: { name: string; remote: HostHandle }, p: DirectPath): Promise<DirectCheck> {
  const probe = await sender.remote.probeTcp(p.address, p.port, DIRECT_PROBE_MS);
  return { ...p, open: probe.state === 'open', state: probe.state };
}

/** A refused connection answers at once (TCP reset); a filtered one is given this long. */
const DIRECT_PROBE_MS = 3000;

export function newVerifyRun(): string {
  return randomBytes(6).toString('hex');
}

export async function verifyDataPath(input: DataPathInput, run = newVerifyRun()): Promise<DataPathReport> {
  const targets = input.senders.map(async (sender): Promise<TargetCheck> => {
    const d = syntheticData(sender.name, run);
    const [profile, trace, direct] = await Promise.all([
      profileCheck(input, sender, d),
      traceCheck(input, sender, d),
      Promise.all(sender.tryDirect === false ? [] : input.direct.map((p) => directCheck(sender, p))),
    ]);
    return {
      target: sender.name,
      ok:
        signalsFound({ profile, trace }) &&
        profile.isolated !== false &&
        trace.isolated !== false &&
        direct.every((c) => !c.open),
      profile,
      trace,
      direct,
    };
  });
  const unreachable = input.unreachable.map((u): TargetCheck => {
    const note = (leg: Leg): SignalCheck => ({
      ...blank(`${u.name} -> ${input.web.address}:${PORTS.frontDoor} (${leg.what})`),
      detail: `not tested: no SSH connection (${u.error})`,
      remedy: 'fix the SSH connection to this target (`heal-pyroscope preflight`), then run verify again',
    });
    return { target: u.name, ok: false, profile: note(PROFILE), trace: note(TRACE), direct: [] };
  });
  const grafana = input.grafana;
  const datasources = grafana
    ? Promise.all(input.datasourceUids.map((uid) => datasourceCheck(input, grafana, uid)))
    : Promise.resolve([]);
  const authentication = authenticationCheck(input, syntheticData('unauthenticated', run));
  const checked = [...(await Promise.all(targets)), ...unreachable];
  const sources = await datasources;
  const auth = await authentication;
  return {
    ok: checked.every((t) => t.ok) && sources.every((s) => s.ok) && auth?.ok !== false,
    authentication: auth,
    service: VERIFY_SERVICE,
    run,
    targets: checked,
    datasources: sources,
  };
}

/** One line per failure, naming the target, the signal, the hop and the remedy. */
export interface DataPathFailure {
  line: string;
  remedy: string | null;
  /** The target it concerns; null for a Grafana data source. */
  target: string | null;
}

/** Both signals of a target were found where Grafana reads them. */
export function signalsFound(t: Pick<TargetCheck, 'profile' | 'trace'>): boolean {
  return t.profile.found && t.trace.found;
}

export function dataPathFailures(report: DataPathReport): DataPathFailure[] {
  const out: DataPathFailure[] = [];
  for (const t of report.targets) {
    for (const [signal, c] of [
      ['profile', t.profile],
      ['trace', t.trace],
    ] as const) {
      if (c.found) continue;
      out.push({
        line: `${t.target}: ${signal} ${c.hop ? `broken at ${c.hop}` : 'not sent'}: ${c.detail} [${c.path}]`,
        remedy: c.remedy,
        target: t.target,
      });
    }
  }
  for (const t of report.targets)
    for (const c of t.direct.filter((x) => x.open))
      out.push({
        line:
          `${t.target}: ${c.service} answers directly at ${c.address}:${c.port} on ${c.machine}, around the ` +
          'front door',
        remedy:
          `run \`heal-pyroscope install\` to put the flow rules back on ${c.machine} (\`heal-pyroscope status\` ` +
          'shows them)',
        target: t.target,
      });
  for (const t of report.targets)
    for (const [signal, c] of [
      ['profile', t.profile],
      ['trace', t.trace],
    ] as const)
      if (c.isolated === false)
        out.push({ line: `${t.target}: ${signal} ${c.detail} [${c.path}]`, remedy: c.remedy, target: t.target });
  if (report.authentication && !report.authentication.ok)
    out.push({
      line: `the front door takes data without credentials: ${report.authentication.detail}`,
      remedy: "run `heal-pyroscope install` to put the front door's configuration back (frontDoor.auth: tenants)",
      target: null,
    });
  for (const s of report.datasources)
    if (!s.ok)
      out.push({
        line: `Grafana data source ${s.uid}: ${s.message}`,
        remedy: 'Grafana cannot reach this backend from the app host: check that it runs (`heal-pyroscope status`)',
        target: null,
      });
  return out;
}
