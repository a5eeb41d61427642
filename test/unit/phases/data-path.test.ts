import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import {
  dataPathFailures,
  directPaths,
  verifyDataPath,
  type DataPathInput,
} from '../../../src/phases/verify/data-path.js';
import { dataPathError } from '../../../src/phases/verify/verify-phases.js';
import { errorFields } from '../../../src/console/output.js';
import { datasourceUids } from '../../../src/render/grafana.js';
import {
  ingestRequest,
  otlpExportRequest,
  renderPath,
  syntheticData,
  VERIFY_SERVICE,
} from '../../../src/phases/verify/synthetic.js';
import type { HttpGetOptions, HttpGetResult, ProbeResult } from '../../../src/remote/index.js';
import { contractDocument } from '../../support/json-contract.js';
import { FakeHost } from '../support/fake-host.js';

/** A healthy path: the door accepts, the query APIs return the data, Grafana's checks pass. */
function healthy(host: FakeHost): void {
  host.http = (_h: string, port: number, path: string, options: HttpGetOptions): HttpGetResult => {
    if (port === 9940 && options.method === 'POST') return { status: 200, body: '' };
    if (port === 4040) return { status: 200, body: '{"flamebearer":{"numTicks":1}}' };
    if (port === 3200) return { status: 200, body: '{"batches":[{}]}' };
    if (port === 3000) return { status: 200, body: '{"status":"OK","message":"Data source is working"}' };
    return { status: 599, body: 'unexpected' };
  };
}

function input(senders: FakeHost[], app: FakeHost): DataPathInput {
  return {
    senders: senders.map((s) => ({ name: s.name, remote: s })),
    unreachable: [],
    web: { name: 'web-01', address: '10.0.0.11', tls: null },
    app: { name: 'app-01', address: '10.0.0.12', remote: app },
    db: { name: 'db-01' },
    tenants: null,
    datasourceUids: datasourceUids(null),
    grafana: { address: '10.0.0.12', port: 3000, user: 'admin', password: 'secret' },
    direct: [],
    waitMs: 50,
    pollMs: 5,
  };
}

describe('data path', () => {
  it('reports each target as sent, stored and found, with a delay, and both data sources OK', async () => {
    const [t1, t2, app] = [new FakeHost('target-01'), new FakeHost('target-02'), new FakeHost('app-01')];
    for (const h of [t1, t2, app]) healthy(h);
    const report = await verifyDataPath(input([t1, t2], app));
    expect(report.ok).toBe(true);
    expect(report.service).toBe(VERIFY_SERVICE);
    expect(report.targets.map((t) => [t.target, t.profile.found, t.trace.found])).toEqual([
      ['target-01', true, true],
      ['target-02', true, true],
    ]);
    expect(report.targets[0]!.profile).toMatchObject({ sent: true, stored: true, hop: null });
    expect(report.datasources.map((d) => d.ok)).toEqual([true, true]);
    expect(
      t1.requests.some((r) =>
        r.startsWith('10.0.0.11:9940/opentelemetry.proto.collector.trace.v1.TraceService/Export'),
      ),
    ).toBe(true);
  });

  it('sends again while the door answers 503 (HAProxy not yet seeing the servers), within the wait', async () => {
    const [t1, app] = [new FakeHost('target-01'), new FakeHost('app-01')];
    healthy(t1);
    healthy(app);
    let unavailable = 2;
    const grpc = t1.grpc;
    t1.grpc = (...args) => (unavailable-- > 0 ? { httpStatus: 503, grpcStatus: null, grpcMessage: '' } : grpc(...args));
    const report = await verifyDataPath({ ...input([t1], app), waitMs: 1000, resendMs: 5 });
    expect(report.ok).toBe(true);
    expect(report.targets[0]!.trace).toMatchObject({ sent: true, found: true, hop: null });
    expect(t1.requests.filter((r) => r.includes('TraceService/Export'))).toHaveLength(3);
    // A door that stays without a server is still reported, once the wait is over.
    t1.grpc = () => ({ httpStatus: 503, grpcStatus: null, grpcMessage: '' });
    const stuck = await verifyDataPath({ ...input([t1], app), waitMs: 40, resendMs: 5 });
    expect(stuck.targets[0]!.trace).toMatchObject({ found: false, hop: 'web -> app' });
    expect(stuck.targets[0]!.trace.detail).toMatch(/503: no server is up behind it/);
  });

  it('names target -> web when the target cannot connect to the front door', async () => {
    const [t1, app] = [new FakeHost('target-01'), new FakeHost('app-01')];
    healthy(app);
    const blocked = new HealError({
      code: 'remote.connect-timeout',
      message: 'target-01 could not connect to 10.0.0.11:9940 within 8000 ms',
    });
    t1.http = () => Promise.reject(blocked);
    t1.grpc = () => Promise.reject(blocked);
    const report = await verifyDataPath(input([t1], app));
    expect(report.ok).toBe(false);
    expect(report.targets[0]!.profile).toMatchObject({ sent: false, found: false, hop: 'target -> web' });
    expect(report.targets[0]!.trace.remedy).toContain('open TCP 10.0.0.11:9940 from target-01');
    expect(dataPathFailures(report)[0]!.line).toMatch(/^target-01: profile broken at target -> web/);
  });

  it('says nothing listens on the door when the connection is refused, and how to bring it back', async () => {
    const [t1, app] = [new FakeHost('target-01'), new FakeHost('app-01')];
    healthy(app);
    t1.http = () => Promise.reject(new Error('(SSH) Channel open failure: Connection refused'));
    t1.grpc = () => Promise.reject(new Error('(SSH) Channel open failure: Connection refused'));
    const report = await verifyDataPath(input([t1], app));
    expect(report.targets[0]!.profile).toMatchObject({
      sent: false,
      hop: 'target -> web',
      detail: 'nothing listens on 10.0.0.11:9940 ((SSH) Channel open failure: Connection refused)',
    });
    expect(report.targets[0]!.profile.remedy).toContain('start the front door on web-01');
  });

  it('names web -> app when the door has no server behind it (HAProxy 503)', async () => {
    const [t1, app] = [new FakeHost('target-01'), new FakeHost('app-01')];
    healthy(t1);
    healthy(app);
    t1.grpc = () => ({ httpStatus: 503, grpcStatus: null, grpcMessage: '' });
    const report = await verifyDataPath(input([t1], app));
    expect(report.targets[0]!.profile.found).toBe(true);
    expect(report.targets[0]!.trace).toMatchObject({ sent: true, stored: false, hop: 'web -> app' });
    expect(report.targets[0]!.trace.path).toBe('target-01 -> 10.0.0.11:9940 -> 10.0.0.12:4317 (Tempo OTLP gRPC)');
  });

  it('names app -> db when the data was accepted but never shows up', async () => {
    const [t1, app] = [new FakeHost('target-01'), new FakeHost('app-01')];
    healthy(t1);
    healthy(app);
    const answer = app.http;
    app.http = (h, port, path, options) =>
      port === 4040 ? { status: 200, body: '{"flamebearer":{"numTicks":0}}' } : answer(h, port, path, options);
    const report = await verifyDataPath(input([t1], app));
    expect(report.targets[0]!.profile).toMatchObject({
      sent: true,
      stored: true,
      found: false,
      hop: 'app -> db',
      delayMs: null,
    });
    expect(report.targets[0]!.trace.found).toBe(true);
  });

  it('follows the JSON contract as verify prints it, passing and failing', async () => {
    const [t1, t2, app] = [new FakeHost('target-01'), new FakeHost('target-02'), new FakeHost('app-01')];
    for (const h of [t1, t2, app]) healthy(h);
    t2.grpc = () => ({ httpStatus: 503, grpcStatus: null, grpcMessage: '' });
    const report = await verifyDataPath({
      ...input([t1, t2], app),
      unreachable: [{ name: 'target-03', error: 'connection refused' }],
    });
    // A failed verify carries its error beside the report, as every failed command does.
    const error = errorFields(dataPathError(report, 'verify.data-path'));
    const doc = contractDocument(
      JSON.stringify({ schemaVersion: 1, command: 'verify', ...report, environment: 'lab', error }),
    );
    expect(doc.ok).toBe(false);
    expect((doc.targets as Array<{ target: string; ok: boolean }>).map((t) => [t.target, t.ok])).toEqual([
      ['target-01', true],
      ['target-02', false],
      ['target-03', false],
    ]);
  });

  it('fails a target that reaches a service around the front door, naming the port and the fix', async () => {
    const [t1, t2, app] = [new FakeHost('target-01'), new FakeHost('target-02'), new FakeHost('app-01')];
    for (const h of [t1, t2, app]) healthy(h);
    const refused = (): ProbeResult => ({ state: 'refused', via: 'forward', detail: 'Connection refused' });
    t1.probe = refused;
    // target-02 still reaches MinIO: the db host's rules are gone.
    t2.probe = (host, port) => (port === 9000 ? { state: 'open', via: 'forward', detail: 'connected' } : refused());
    const direct = directPaths(
      { web: '10.0.0.11', app: '10.0.0.12', db: '10.0.0.13' },
      { web: 'web-01', app: 'app-01', db: 'db-01' },
      { otlpHttp: false },
    );
    expect(direct.map((d) => `${d.machine}:${d.port}`)).toEqual([
      'app-01:4040',
      'app-01:4317',
      'app-01:14250',
      'app-01:3200',
      'db-01:9000',
    ]);
    const report = await verifyDataPath({ ...input([t1, t2], app), direct });
    expect(report.targets.map((t) => [t.target, t.ok])).toEqual([
      ['target-01', true],
      ['target-02', false],
    ]);
    expect(report.targets[1]!.direct.filter((c) => c.open).map((c) => c.port)).toEqual([9000]);
    const failure = dataPathFailures(report);
    expect(failure).toHaveLength(1);
    expect(failure[0]!.line).toMatch(/^target-02: MinIO .* answers directly at 10\.0\.0\.13:9000 on db-01/);
    expect(failure[0]!.remedy).toMatch(/heal-pyroscope install/);
    const error = errorFields(dataPathError(report, 'verify.data-path'));
    contractDocument(JSON.stringify({ schemaVersion: 1, command: 'verify', ...report, environment: 'lab', error }));
  });

  it('fails on a data source whose health check Grafana answers with ERROR', async () => {
    const [t1, app] = [new FakeHost('target-01'), new FakeHost('app-01')];
    healthy(t1);
    healthy(app);
    const answer = app.http;
    app.http = (h, port, path, options) =>
      path.includes('heal-pyroscope-traces')
        ? { status: 400, body: '{"status":"ERROR","message":"connection refused"}' }
        : answer(h, port, path, options);
    const report = await verifyDataPath(input([t1], app));
    expect(report.ok).toBe(false);
    expect(report.datasources).toContainEqual({
      uid: 'heal-pyroscope-traces',
      ok: false,
      message: 'HTTP 400 ERROR: connection refused',
    });
  });
});

describe('synthetic data', () => {
  const d = syntheticData('target-01', 'run1');

  it('pushes a folded profile under the verify service name with this run and target as labels', () => {
    const r = ingestRequest(d, 1_700_000_000_000);
    const q = new URLSearchParams(r.path.split('?')[1]);
    expect(q.get('name')).toBe('heal-pyroscope-verify.cpu{verify_run=run1,verify_target=target-01}');
    expect(q.get('format')).toBe('folded');
    expect(r.body).toMatch(/^\S+ 1\n$/);
    expect(new URLSearchParams(renderPath(d).split('?')[1]).get('query')).toBe(
      'process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="heal-pyroscope-verify",verify_run="run1",verify_target="target-01"}',
    );
  });

  it('encodes the span with its 16-byte trace id and the service.name resource attribute', () => {
    const message = otlpExportRequest(d, 1_700_000_000_000);
    expect(message.includes(Buffer.from(d.traceId, 'hex'))).toBe(true);
    expect(message.includes(Buffer.from(VERIFY_SERVICE))).toBe(true);
    expect(message[0]).toBe(0x0a); // field 1 (resource_spans), length-delimited
  });
});
