// `verify` against the lab with four targets (LAB_TARGETS=3): install's last phase and `verify`
// send a profile and an OTLP span from every target through the front door and read both back; a
// dropped target -> web flow and a stopped Tempo receiver each fail naming where. Real OTLP gRPC,
// Jaeger gRPC and gRPC/connect push clients (node:http2 from target-01's SSH connection) and an h2c
// /ingest reach the stand-ins through the door, and the query APIs return what they sent. The lab goes back to its
// usual size afterwards, so other suites see the default lab.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataPathReport } from '../../src/phases/verify/data-path.js';
import {
  connectAll,
  grpcCall,
  httpGet,
  nonInteractive,
  type Fleet,
  type RemoteHost,
  type TlsTrust,
} from '../../src/remote/index.js';
import { currentLab, fault, labExec, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { runLabSh } from '../lab/lab-sh.js';
import { contractDocument } from '../support/json-contract.js';
import { labTarget } from '../support/lab-targets.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { doorCa, doorTenants, h2From, type DoorTenant } from '../support/h2c.js';
import { field } from '../support/protobuf.js';

const skip = labSkipReason();
const TARGETS = ['target-01', 'target-02', 'target-03', 'target-04'];
const DOOR = 9940;

/** The lab's topology with all four targets, and two tenants: verify proves one cannot read the other. */
const fourTargetTopology = (lab: Lab) => labTopologyFile(lab, 'tenants: [default, team-b]\n', TARGETS);

// Protocol Buffers, as the agents' client libraries write them (field numbers from the upstream protos).

/** jaeger.api_v2 PostSpansRequest { batch = 1 { spans = 1 { trace_id 1, span_id 2, operation_name 3 }, process = 2 { service_name 1 } } }. */
function jaegerPostSpans(traceId: string, service: string): Buffer {
  const span = Buffer.concat([
    field(1, Buffer.from(traceId, 'hex')),
    field(2, randomBytes(8)),
    field(3, 'jaeger-client-test'),
  ]);
  return field(1, Buffer.concat([field(1, span), field(2, field(1, service))]));
}

/**
 * OTLP ExportTraceServiceRequest { resource_spans = 1 { resource = 1 { attributes = 1 KeyValue },
 * scope_spans = 2 { spans = 2 { trace_id 1, span_id 2, name 5 } } } }, with one span of `service`.
 */
function otlpExport(traceId: string, service: string): Buffer {
  const keyValue = Buffer.concat([field(1, 'service.name'), field(2, field(1, service))]);
  const span = Buffer.concat([
    field(1, Buffer.from(traceId, 'hex')),
    field(2, randomBytes(8)),
    field(5, 'otlp-client-test'),
  ]);
  return field(1, Buffer.concat([field(1, field(1, keyValue)), field(2, field(2, span))]));
}

describe.skipIf(skip)('verify: a profile and a span from every target, read back (lab, four targets)', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };
  let fleet: Fleet;
  let target: RemoteHost;
  let appHost: RemoteHost;
  let installed: { dataPath: DataPathReport | null };
  /** The stack's CA, as agents are given it: every send below goes over TLS, as theirs do. */
  let trust: TlsTrust;
  /** The tenants' credentials, as agents are given them: every push below carries the first's. */
  let tenants: DoorTenant[];
  const auth = () => ({ authorization: tenants[0]!.authorization });
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;
  const cli = (...args: string[]) =>
    runCli([...args, '--json', '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const verify = async (...args: string[]) => {
    const r = await cli('verify', ...args);
    return {
      code: r.code,
      stderr: r.stderr,
      doc: contractDocument(r.stdout) as unknown as DataPathReport & { command: string },
    };
  };
  /** Tempo's trace-by-ID API, asked on the app host as Grafana's data source of `tenant` asks it. */
  const traceFromTempo = (traceId: string, tenant = 'default') =>
    httpGet(appHost.session, address('app-01'), 3200, `/api/traces/${traceId}`, {
      timeoutMs: 5000,
      headers: { 'X-Scope-OrgID': tenant },
    });

  beforeAll(async () => {
    requireLab();
    // reset brings the lab up at the size LAB_TARGETS asks for, then empties the engines.
    const up = await runLabSh(['reset'], { LAB_TARGETS: '3' });
    expect(up.exitCode, up.stderr).toBe(0);
    lab = currentLab();
    topo = fourTargetTopology(lab);
    const r = await cli('install', '--wait', '60');
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    installed = contractDocument(r.stdout) as unknown as typeof installed;
    fleet = await connectAll(
      [
        labTarget(lab, 'target-01', {}, { connectTimeoutMs: 5000 }),
        labTarget(lab, 'app-01', {}, { connectTimeoutMs: 5000 }),
      ],
      { interaction: nonInteractive },
    );
    target = fleet.host('target-01');
    appHost = fleet.host('app-01');
    trust = await doorCa(runCli, topo);
    tenants = await doorTenants(runCli, topo);
  }, 600_000);

  afterAll(async () => {
    await fleet?.close();
    if (topo)
      await runCli(['uninstall', '--config', topo.path, '--purge', '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
    // Back to the default lab (no extra targets, no faults, empty engines) for the other suites.
    await resetLab();
  }, 300_000);

  it("install's last phase sent a profile and a span from each of the four targets and found both", () => {
    const dataPath = installed.dataPath!;
    expect(dataPath.ok).toBe(true);
    expect(dataPath.targets.map((t) => [t.target, t.profile.found, t.trace.found])).toEqual(
      TARGETS.map((t) => [t, true, true]),
    );
  });

  it('verify passes on the healthy install, reporting each target: sent, stored, found and the delay', async () => {
    const { code, doc, stderr } = await verify();
    expect(code, stderr).toBe(0);
    expect(doc).toMatchObject({ command: 'verify', ok: true, service: 'heal-pyroscope-verify' });
    expect(doc.targets.map((t) => t.target)).toEqual(TARGETS);
    for (const t of doc.targets) {
      for (const c of [t.profile, t.trace]) {
        expect(c).toMatchObject({ sent: true, stored: true, found: true, hop: null, remedy: null });
        expect(c.delayMs).toBeGreaterThanOrEqual(0);
      }
      expect(t.trace.path).toContain(`${t.target} -> ${address('web-01')}:${DOOR} -> ${address('app-01')}:4317`);
    }
    expect(doc.datasources.map((d) => [d.uid, d.ok])).toEqual([
      ['heal-pyroscope-profiles-default', true],
      ['heal-pyroscope-traces-default', true],
      ['heal-pyroscope-profiles-team-b', true],
      ['heal-pyroscope-traces-team-b', true],
    ]);
    // Sent as tenant default while naming team-b in X-Scope-OrgID: filed under default only.
    expect(doc.targets.flatMap((t) => [t.profile.isolated, t.trace.isolated])).toEqual(
      TARGETS.flatMap(() => [true, true]),
    );
    expect(doc.authentication).toMatchObject({ ok: true });
    expect(doc.authentication?.detail).toMatch(/profile push: HTTP 401; OTLP export: HTTP 401/);
  });

  it("a push without credentials gets the door's 401, and one tenant cannot read what another sent", async () => {
    const traceId = randomBytes(16).toString('hex');
    const refused = await grpcCall(
      target.session,
      address('web-01'),
      DOOR,
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      otlpExport(traceId, 'no-credentials'),
      { timeoutMs: 5000, tls: trust, metadata: { 'x-scope-orgid': 'default' } },
    );
    expect(refused.httpStatus).toBe(401);
    expect((await traceFromTempo(traceId)).status).toBe(404);
    const sent = await grpcCall(
      target.session,
      address('web-01'),
      DOOR,
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      otlpExport(traceId, 'tenant-b-test'),
      { timeoutMs: 5000, tls: trust, metadata: { authorization: tenants[1]!.authorization } },
    );
    expect(sent).toMatchObject({ httpStatus: 200, grpcStatus: 0 });
    expect((await traceFromTempo(traceId, 'team-b')).status).toBe(200);
    expect((await traceFromTempo(traceId, 'default')).status).toBe(404);
    // Tempo itself refuses a read that names no tenant, as the real one does with multi-tenancy on.
    const anonymous = await httpGet(appHost.session, address('app-01'), 3200, `/api/traces/${traceId}`, {
      timeoutMs: 5000,
    });
    expect(anonymous.status).toBe(401);
  });

  it("a real OTLP gRPC export from target-01 through the door is stored, and Tempo's API returns it", async () => {
    const traceId = randomBytes(16).toString('hex');
    const answer = await grpcCall(
      target.session,
      address('web-01'),
      DOOR,
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      otlpExport(traceId, 'otlp-client-test'),
      { timeoutMs: 5000, tls: trust, metadata: auth() },
    );
    expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: 0 });
    const trace = await traceFromTempo(traceId);
    expect(trace.status, trace.body).toBe(200);
    expect(JSON.parse(trace.body).batches[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'otlp-client-test' },
    });
  });

  it("a real Jaeger gRPC PostSpans from target-01 through the door is stored, and Tempo's API returns it", async () => {
    const traceId = randomBytes(16).toString('hex');
    const answer = await grpcCall(
      target.session,
      address('web-01'),
      DOOR,
      '/jaeger.api_v2.CollectorService/PostSpans',
      jaegerPostSpans(traceId, 'jaeger-client-test'),
      { timeoutMs: 5000, tls: trust, metadata: auth() },
    );
    expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: 0 });
    const trace = await traceFromTempo(traceId);
    expect(trace.status, trace.body).toBe(200);
    expect(trace.body).toContain('jaeger-client-test');
  });

  it("a gRPC push to Pyroscope's PusherService through the door gets grpc-status 0", async () => {
    const answer = await grpcCall(
      target.session,
      address('web-01'),
      DOOR,
      '/push.v1.PusherService/Push',
      Buffer.alloc(0),
      { timeoutMs: 5000, tls: trust, metadata: auth() },
    );
    expect(answer).toMatchObject({ httpStatus: 200, grpcStatus: 0 });
  });

  it('a profile pushed to /ingest over HTTP/2 through the door is stored, and the render API returns it', async () => {
    const service = `h2-test-${randomBytes(3).toString('hex')}`;
    const session = await h2From(target.session, address('web-01'), DOOR, trust);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        session.on('error', reject);
        const stream = session.request({
          ':method': 'POST',
          ':path': `/ingest?name=${service}.cpu&format=folded`,
          'content-type': 'text/plain',
          ...auth(),
        });
        stream.on('response', (headers) => resolve(Number(headers[':status'])));
        stream.on('error', reject);
        stream.end('main;work 3\n');
      });
      expect(status).toBe(200);
    } finally {
      session.destroy();
    }
    const query = encodeURIComponent(`process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="${service}"}`);
    const render = await httpGet(
      appHost.session,
      address('app-01'),
      4040,
      `/pyroscope/render?query=${query}&from=now-1h&until=now`,
      { timeoutMs: 5000, headers: { 'X-Scope-OrgID': 'default' } },
    );
    expect(render.status, render.body).toBe(200);
    expect(JSON.parse(render.body).flamebearer).toMatchObject({ numTicks: 3, names: ['total', 'main', 'work'] });
  });

  it('a connect push (HTTP/1.1, application/proto) to PusherService through the door is accepted', async () => {
    const answer = await httpGet(target.session, address('web-01'), DOOR, '/push.v1.PusherService/Push', {
      method: 'POST',
      body: Buffer.alloc(0),
      headers: { 'Content-Type': 'application/proto', Authorization: tenants[0]!.authorization },
      timeoutMs: 5000,
      tls: trust,
    });
    expect(answer.status, answer.body).toBe(200);
  });

  it('a trace ID that was never sent is not found (the read-back can fail)', async () => {
    const trace = await traceFromTempo(randomBytes(16).toString('hex'));
    expect(trace.status).toBe(404);
  });

  it('with target-01 -> web:9940 dropped, exits 1 naming target-01 and that hop; the others pass', async () => {
    await fault('drop-flow', 'target-01', 'web-01', DOOR);
    try {
      const { code, doc } = await verify('--wait', '5');
      expect(code).toBe(1);
      expect(doc.ok).toBe(false);
      const broken = doc.targets.find((t) => t.target === 'target-01')!;
      expect(broken.profile).toMatchObject({ sent: false, found: false, hop: 'target -> web' });
      expect(broken.trace).toMatchObject({ sent: false, found: false, hop: 'target -> web' });
      expect(broken.profile.remedy).toContain(`${address('web-01')}:${DOOR} from target-01`);
      expect(doc.targets.filter((t) => t.target !== 'target-01').every((t) => t.ok)).toBe(true);
      const text = await runCli(['verify', '--wait', '5', '--config', topo.path], {
        cwd: topo.dir,
        env: { CI: 'true' },
      });
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/target-01: profile broken at target -> web/);
    } finally {
      // `up` undoes faults; the four targets stay.
      await runLabSh(['up'], { LAB_TARGETS: '3' });
    }
  }, 120_000);

  it("with Tempo's OTLP receiver stopped, exits 1 naming the trace path (web -> app:4317); profiles still pass", async () => {
    // The stand-in's receiver is its own process; its pid file is written once it listens.
    const stop = await labExec('app-01', [
      'docker',
      'exec',
      'heal-pyroscope-tempo',
      'sh',
      '-c',
      'kill "$(cat /tmp/lab-pid-otlp-grpc)"',
    ]);
    expect(stop.exitCode, stop.stderr).toBe(0);
    const { code, doc } = await verify('--wait', '5');
    expect(code).toBe(1);
    for (const t of doc.targets) {
      expect(t.profile.found).toBe(true);
      expect(t.trace).toMatchObject({ sent: true, stored: false, found: false, hop: 'web -> app' });
      expect(t.trace.path).toContain(`${address('app-01')}:4317 (Tempo OTLP gRPC)`);
      expect(t.trace.remedy).toContain("Tempo's OTLP receiver");
    }
  }, 120_000);
});
