// The installed front door is ingest-only and speaks TLS, seen from where agents stand: a target
// host's push over HTTPS reaches Pyroscope, an OTLP gRPC export over TLS (ALPN h2) reaches Tempo's
// receiver, a client that speaks plain HTTP or trusts another CA gets nowhere, and every query path gets
// HAProxy's own 404. HAProxy's log on web-01 says which backend and server a finished request went
// to; the lab's receivers speak gRPC, so an export gets Tempo's grpc-status 0 through the door.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ClientHttp2Session } from 'node:http2';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstallPlan } from '../../src/plan/plan.js';
import {
  connectAll,
  httpGet,
  nonInteractive,
  type Fleet,
  type RemoteHost,
  type TlsTrust,
} from '../../src/remote/index.js';
import { issueCa } from '../../src/tls/certificates.js';
import { FRONT_DOOR_MAX_BODY_MIB, FRONT_DOOR_REFUSAL, FRONT_DOOR_UNAUTHORIZED } from '../../src/render/haproxy.js';
import type { AgentsDocument } from '../../src/commands/agents.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { labTarget } from '../support/lab-targets.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { doorCa, doorTenants, h2From, type DoorTenant } from '../support/h2c.js';

const skip = labSkipReason();
const DOOR_PORT = 9940;

/** HAProxy's request log (`option httplog`) on web-01: its container's stdout. */
async function doorLog(): Promise<string[]> {
  const r = await labExec('web-01', ['docker', 'logs', 'heal-pyroscope-haproxy']);
  return `${r.stdout}\n${r.stderr}`.split('\n');
}

/** The log line of the request for `path`, once HAProxy has written it. */
async function loggedRequest(path: string, backendServer: string): Promise<string> {
  const line = await waitFor(
    `HAProxy to log ${path}`,
    async () => (await doorLog()).find((l) => l.includes(path) && l.includes(` ${backendServer} `)),
    10_000,
    200,
  );
  return line!;
}

/** The :status of a GET on an HTTP/2 session, which it then closes. */
async function h2Status(session: ClientHttp2Session, path: string): Promise<number> {
  try {
    return await new Promise<number>((resolve, reject) => {
      session.on('error', reject);
      const stream = session.request({ ':method': 'GET', ':path': path });
      stream.on('response', (headers) => resolve(Number(headers[':status'])));
      stream.on('error', reject);
      stream.end();
    });
  } finally {
    session.destroy();
  }
}

/** HAProxy's connect time (Tc of Tq/Tw/Tc/Tr/Ta): -1 when it never connected to the server. */
function connectTime(line: string): number {
  const timers = /\s(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\s/.exec(line);
  if (!timers) throw new Error(`no timers in ${line}`);
  return Number(timers[3]);
}

describe.skipIf(skip !== undefined)('ingest-only front door (lab)', () => {
  const lab = skip === undefined ? requireLab() : (undefined as never);
  const web = () => lab.hosts.find((h) => h.name === 'web-01')!.address;
  let topo: { dir: string; path: string };
  let fleet: Fleet;
  let target: RemoteHost;
  let verified: Array<{ what: string; ok: boolean; url: string }> = [];
  /** The stack's CA, as `agents --json` gives it to the agents. */
  let trust: TlsTrust;
  /** The config's one tenant (`default`), as `agents --json --show-secrets` gives it to the agents. */
  let tenant: DoorTenant | undefined;
  const auth = () => ({ Authorization: tenant!.authorization });
  /** GET through the door from target-01, over its SSH session, as an agent there would. */
  const fromTarget = (path: string) => httpGet(target.session, web(), DOOR_PORT, path, { timeoutMs: 5000, tls: trust });

  /** The plan of the install that turned the plain door of an earlier install into a TLS one. */
  let upgradePlan: InstallPlan;
  /** What the plain door answered a target's h2c health check, before that install. */
  let plainHealth: number;

  beforeAll(async () => {
    await resetLab();
    topo = labTopologyFile(lab);
    const install = async (config: string, ...extra: string[]) => {
      const r = await runCli(['--json', 'install', '--config', config, '--wait', '60', '--yes', ...extra], {
        cwd: topo.dir,
        env: { CI: 'true' },
      });
      expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
      return JSON.parse(r.stdout) as { verified: typeof verified; plan: InstallPlan };
    };
    fleet = await connectAll([labTarget(lab, 'target-01', {}, { connectTimeoutMs: 5000 })], {
      interaction: nonInteractive,
    });
    target = fleet.host('target-01');
    // First a plain, open door, as installs before TLS and tenants (or `frontDoor.tls: off` and
    // `frontDoor.auth: none`) left it; same state file.
    const plain = join(topo.dir, 'plain.yaml');
    writeFileSync(plain, `${readFileSync(topo.path, 'utf8')}frontDoor:\n  tls: "off"\n  auth: none\n`);
    await install(plain);
    plainHealth = await h2Status(await h2From(target.session, web(), DOOR_PORT), '/healthz');
    upgradePlan = (await install(topo.path, '--dry-run')).plan;
    verified = (await install(topo.path)).verified;
    trust = await doorCa(runCli, topo);
    [tenant] = await doorTenants(runCli, topo);
  }, 400_000);
  afterAll(async () => {
    await fleet?.close();
    if (topo)
      await runCli(['uninstall', '--config', topo.path, '--purge', '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
    await resetLab();
  });

  it('an install over a plain, open door plans the TLS and tenant files, multi-tenancy and a new HAProxy', () => {
    expect(plainHealth).toBe(200);
    const web01 = upgradePlan.tiers.find((t) => t.tier === 'web')!;
    expect(web01.files.filter((f) => f.action !== 'keep').map((f) => [f.path, f.action])).toEqual([
      ['/opt/heal-pyroscope/web/haproxy/auth/tenants.json', 'create'],
      ['/opt/heal-pyroscope/web/haproxy/auth/tenants.map', 'create'],
      ['/opt/heal-pyroscope/web/haproxy/haproxy.cfg', 'update'],
      ['/opt/heal-pyroscope/web/haproxy/tls/ca-key.pem', 'create'],
      ['/opt/heal-pyroscope/web/haproxy/tls/ca.pem', 'create'],
      ['/opt/heal-pyroscope/web/haproxy/tls/front-door.pem', 'create'],
    ]);
    expect(web01.containers.find((c) => c.name === 'heal-pyroscope-haproxy')?.action).toBe('recreate');
    // Pyroscope and Tempo turn multi-tenancy on; Grafana gets the tenant's data sources. MinIO stays.
    const app01 = upgradePlan.tiers.find((t) => t.tier === 'app')!;
    expect(app01.files.filter((f) => f.action !== 'keep').map((f) => [f.path, f.action])).toEqual([
      ['/opt/heal-pyroscope/app/grafana/provisioning/datasources/heal-pyroscope.yaml', 'update'],
      ['/opt/heal-pyroscope/app/pyroscope/config.yaml', 'update'],
      ['/opt/heal-pyroscope/app/tempo/tempo.yaml', 'update'],
    ]);
    expect(app01.containers.filter((c) => c.action !== 'unchanged').map((c) => [c.name, c.action])).toEqual([
      ['heal-pyroscope-pyroscope', 'recreate'],
      ['heal-pyroscope-tempo', 'recreate'],
      ['heal-pyroscope-grafana', 'recreate'],
    ]);
    const db01 = upgradePlan.tiers.find((t) => t.tier === 'db')!;
    expect(db01.containers.filter((c) => c.action !== 'unchanged')).toEqual([]);
  });

  it("answers a push without the tenant's credentials itself with 401; a client's X-Scope-OrgID does not help", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'X-Scope-OrgID': 'default' },
      { Authorization: 'Basic ZGVmYXVsdDp3cm9uZw==' },
    ];
    for (const headers of attempts) {
      const answer = await httpGet(target.session, web(), DOOR_PORT, '/ingest?name=no-credentials.cpu', {
        method: 'POST',
        body: 'main 1\n',
        headers,
        timeoutMs: 5000,
        tls: trust,
      });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.body).toBe(FRONT_DOOR_UNAUTHORIZED);
    }
    expect((await doorLog()).filter((l) => l.includes('no-credentials')).every((l) => l.includes('<NOSRV>'))).toBe(
      true,
    );
  });

  it("serves a certificate of the stack's CA naming the web host; plain HTTP and another CA get nowhere", async () => {
    expect(verified.filter((v) => v.url.includes(`:${DOOR_PORT}/`)).every((v) => v.url.startsWith('https://'))).toBe(
      true,
    );
    const other = issueCa('other', new Date());
    await expect(
      httpGet(target.session, web(), DOOR_PORT, '/healthz', { timeoutMs: 5000, tls: { ca: other.caCertificate } }),
    ).rejects.toThrow(/unable to verify|self.signed/i);
    const plain = await httpGet(target.session, web(), DOOR_PORT, '/healthz', { timeoutMs: 5000 }).then(
      (a) => `HTTP ${a.status}`,
      (e: Error) => e.message,
    );
    expect(plain).not.toBe('HTTP 200');
    // The certificate on the host is the one the state holds, and names the address agents dial.
    const served = await labExec('web-01', [
      'openssl',
      'x509',
      '-noout',
      '-ext',
      'subjectAltName',
      '-in',
      '/opt/heal-pyroscope/web/haproxy/tls/front-door.pem',
    ]);
    expect(served.stdout).toContain(`IP Address:${web()}`);
  });

  it('install verified the door from the target: up, forwarding ingest, refusing queries', () => {
    const door = verified.filter((v) => v.url.includes(`:${DOOR_PORT}/`));
    expect(door.map((v) => [v.what, v.ok])).toEqual([
      ['Front door', true],
      ['Pyroscope through the front door', true],
      ['Front door refuses queries', true],
    ]);
  });

  it('forwards a push to /ingest from a target host to the Pyroscope stand-in', async () => {
    const path = '/ingest?name=front-door-test.cpu';
    const answer = await httpGet(target.session, web(), DOOR_PORT, path, {
      method: 'POST',
      body: 'front_door_test 1\n',
      headers: auth(),
      timeoutMs: 5000,
      tls: trust,
    });
    expect(answer.status, answer.body).toBe(200);
    const line = await loggedRequest(path, 'heal_pyroscope_pyroscope/pyroscope');
    expect(line).toMatch(/ 200 /);
    expect(connectTime(line)).toBeGreaterThanOrEqual(0);
  });

  it("forwards an OTLP gRPC trace export over TLS (ALPN h2) to Tempo's OTLP receiver", async () => {
    const path = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
    const session = await h2From(target.session, web(), DOOR_PORT, trust);
    session.on('error', () => {});
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        authorization: tenant!.authorization,
      });
      stream.on('error', () => {});
      let status: number | null = null;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      const trailers = new Promise<Record<string, unknown>>((resolve) => stream.on('trailers', resolve));
      stream.on('data', () => {});
      // An empty ExportTraceServiceRequest: one uncompressed gRPC message of length 0.
      stream.end(Buffer.alloc(5));
      expect((await trailers)['grpc-status']).toBe('0');
      expect(status).toBe(200);
      const line = await loggedRequest(path, 'heal_pyroscope_tempo_otlp/tempo_otlp');
      expect(connectTime(line)).toBeGreaterThanOrEqual(0);
    } finally {
      session.destroy();
    }
  });

  it.each([
    '/api/search',
    '/api/traces/x',
    '/querier.v1.QuerierService/SelectMergeStacktraces',
    '/pyroscope/render?query=x',
    // OTLP over HTTP is opt-in (frontDoor.otlpHttp, off here).
    '/v1/traces',
    '/',
  ])('answers %s from a target host itself with 404', async (path) => {
    const answer = await fromTarget(path);
    expect(answer).toEqual({ status: 404, body: FRONT_DOOR_REFUSAL });
  });

  it('answers a Pyroscope query over gRPC itself with 404', async () => {
    const session = await h2From(target.session, web(), DOOR_PORT, trust);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        session.on('error', reject);
        const stream = session.request({
          ':method': 'POST',
          ':path': '/querier.v1.QuerierService/SelectMergeStacktraces',
          'content-type': 'application/grpc',
        });
        stream.on('response', (headers) => resolve(Number(headers[':status'])));
        stream.on('error', reject);
        stream.end(Buffer.alloc(5));
      });
      expect(status).toBe(404);
    } finally {
      session.destroy();
    }
  });

  it('refuses a body over its limit with 413 before forwarding a byte of it', async () => {
    // A push declaring 100 MiB; its first 64 KiB are sent. HAProxy decides on the declared length,
    // as soon as the headers are in.
    const path = '/ingest?name=front-door-oversize.cpu';
    const answer = await httpGet(target.session, web(), DOOR_PORT, path, {
      method: 'POST',
      headers: { 'Content-Length': String(100 * 1024 * 1024), ...auth() },
      body: Buffer.alloc(64 * 1024, 0x61),
      timeoutMs: 10_000,
      tls: trust,
    });
    expect(answer.status).toBe(413);
    // Denied by the frontend: no backend, no server.
    const line = await waitFor(
      'HAProxy to log the refused push',
      async () => (await doorLog()).find((l) => l.includes('front-door-oversize')),
      10_000,
      200,
    );
    expect(line).toMatch(/ 413 /);
    expect(line).toContain('<NOSRV>');
    // A push within the limit still goes through.
    const within = await httpGet(target.session, web(), DOOR_PORT, '/ingest?name=front-door-within.cpu', {
      method: 'POST',
      body: Buffer.alloc(FRONT_DOOR_MAX_BODY_MIB * 1024 * 1024 - 1024, 0x61),
      headers: auth(),
      timeoutMs: 30_000,
      tls: trust,
    });
    expect(within.status).not.toBe(413);
  });

  it('answers its health URI itself with 200', async () => {
    expect((await fromTarget('/healthz')).status).toBe(200);
  });

  it("a teammate without the state file gets the same CA from the hosts, and status shows the door's certificate", async () => {
    // The same config in other directories: no .heal-pyroscope/ beside it.
    const teammate = () => {
      const dir = mkdtempSync(join(tmpdir(), 'hp-teammate-'));
      writeFileSync(join(dir, 'heal-pyroscope.yaml'), readFileSync(topo.path, 'utf8'));
      return { cwd: dir, env: { CI: 'true' } };
    };
    const agents = await runCli(['--json', 'agents', '--show-secrets'], teammate());
    expect(agents.code, agents.stderr).toBe(0);
    const printed = JSON.parse(agents.stdout) as AgentsDocument;
    expect(printed.frontDoor.caCertificate).toBe(trust.ca);
    // The tenant's password too: the web host keeps it, so every operator's agents print the same.
    expect(printed.tenants).toEqual([{ name: 'default', username: 'default', password: tenant!.password }]);
    const status = await runCli(['--json', 'status'], teammate());
    const doc = JSON.parse(status.stdout) as {
      state: string;
      frontDoorTls: { names: string[]; daysLeft: number } | null;
      components: Array<{ component: string; healthy: boolean }>;
    };
    expect(status.code, status.stderr).toBe(0);
    expect(doc.state).toBe('hosts');
    expect(doc.frontDoorTls?.names).toContain(web());
    expect(doc.frontDoorTls?.daysLeft).toBeGreaterThan(300);
    expect(doc.components.find((c) => c.component === 'haproxy')?.healthy).toBe(true);
  });
});
