import { describe, expect, it } from 'vitest';
import type { HttpGetOptions, HttpGetResult } from '../../../src/remote/index.js';
import { settledProbe, verifyPhase, verifyProbes } from '../../../src/phases/install/verify-endpoints.js';
import { datasourceUids } from '../../../src/render/grafana.js';
import { FRONT_DOOR_REFUSAL, FRONT_DOOR_UNAUTHORIZED } from '../../../src/render/haproxy.js';
import { fakeStack, plannedInstall, recordingIo, type FakeStack } from '../support/fake-stack.js';

type Answers = Record<string, HttpGetResult>;

/** A stack that answers as a healthy install does, with `over` replacing answers by `host:port/path`. */
function answering(stack: FakeStack, over: Answers = {}): void {
  const datasources = JSON.stringify(datasourceUids(['default']).map((uid) => ({ uid })));
  const healthy: Answers = {
    '10.213.0.11:9940/healthz': { status: 200, body: 'ok' },
    '10.213.0.11:9940/ingest': { status: 405, body: 'Method Not Allowed' },
    '10.213.0.11:9940/api/search': { status: 404, body: FRONT_DOOR_REFUSAL },
    '10.213.0.12:4040/ready': { status: 200, body: 'ready' },
    '10.213.0.12:3200/ready': { status: 200, body: 'ready' },
    '127.0.0.1:3000/api/health': { status: 200, body: '{"database":"ok"}' },
    '127.0.0.1:3000/api/datasources': { status: 200, body: datasources },
  };
  const answers = { ...healthy, ...over };
  // The data path (src/phases/verify): the push is accepted and both read-backs find the data.
  // As a door with tenants: a push needs credentials, and only tenant `default` holds the data.
  const dataPath = (port: number, path: string, options: HttpGetOptions): HttpGetResult | undefined => {
    const headers = options.headers ?? {};
    const mine = headers['X-Scope-OrgID'] === 'default';
    if (port === 9940 && path.startsWith('/ingest?') && options.method === 'POST')
      return headers.Authorization ? { status: 200, body: '' } : { status: 401, body: FRONT_DOOR_UNAUTHORIZED };
    if (port === 4040 && path.startsWith('/pyroscope/render?'))
      return { status: 200, body: `{"flamebearer":{"numTicks":${mine ? 1 : 0}}}` };
    if (port === 3200 && path.startsWith('/api/traces/'))
      return mine ? { status: 200, body: '{"batches":[{}]}' } : { status: 404, body: 'trace not found' };
    if (port === 3000 && /^\/api\/datasources\/uid\/[^/]+\/health$/.test(path))
      return { status: 200, body: '{"status":"OK","message":"Data source is working"}' };
    return undefined;
  };
  for (const host of [stack.web, stack.app, stack.db]) {
    host.grpc = (_h, _p, _path, _m, options) =>
      options.metadata?.Authorization
        ? { httpStatus: 200, grpcStatus: 0, grpcMessage: '' }
        : { httpStatus: 401, grpcStatus: null, grpcMessage: '' };
    host.http = (h: string, port: number, path: string, options: HttpGetOptions) =>
      answers[`${h}:${port}${path}`] ??
      dataPath(port, path, options) ?? { status: 599, body: 'no such endpoint in the test' };
  }
}

/** The requests of the endpoint probes, without the data path's. */
const probes = (requests: string[]) => requests.filter((r) => !/\/ingest\?|TraceService/.test(r));

describe('verify phase', () => {
  it('passes when the front door, Pyroscope, Tempo, Grafana and its data sources answer as they should', async () => {
    const stack = fakeStack();
    answering(stack);
    const ctx = await plannedInstall(stack);
    expect(await verifyPhase.run(ctx, recordingIo())).toMatch(
      /^7 endpoint\(s\) answer; 1 of 1 target\(s\): profile and span found/,
    );
    expect(probes(stack.web.requests)).toEqual([
      '10.213.0.11:9940/healthz',
      '10.213.0.11:9940/ingest',
      '10.213.0.11:9940/api/search',
      '10.213.0.12:4040/ready',
    ]);
  });

  it('reports a failing probe, naming the endpoint, where it was asked from and what it answered', async () => {
    const stack = fakeStack();
    answering(stack, {
      '10.213.0.12:4040/ready': { status: 503, body: 'Ingester not ready: waiting for 15s after being ready' },
    });
    const ctx = await plannedInstall(stack);
    await expect(verifyPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'install.verify',
      message: '1 of 7 endpoint(s) do not answer as they should',
      details: [
        'Pyroscope http://10.213.0.12:4040/ready: from web-01: HTTP 503 Ingester not ready: waiting for 15s after being ready',
      ],
    });
  });

  it('fails when the front door forwards a query path instead of refusing it', async () => {
    const stack = fakeStack();
    answering(stack, { '10.213.0.11:9940/api/search': { status: 200, body: '{}' } });
    const ctx = await plannedInstall(stack);
    await expect(verifyPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      details: [expect.stringContaining('the front door forwards a query path')],
    });
  });

  it('asks Grafana with the admin credentials and fails when a data source is missing', async () => {
    const stack = fakeStack();
    answering(stack, {
      '127.0.0.1:3000/api/datasources': {
        status: 200,
        body: JSON.stringify([{ uid: 'heal-pyroscope-profiles-default' }]),
      },
    });
    let authorization: string | undefined;
    const answer = stack.app.http;
    stack.app.http = (h, port, path, options) => (
      (authorization ??= path === '/api/datasources' ? options.headers?.['Authorization'] : undefined),
      answer(h, port, path, options)
    );
    const ctx = await plannedInstall(stack);
    await expect(verifyPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      details: [
        `Grafana data sources http://127.0.0.1:3000/api/datasources: from app-01: data source(s) heal-pyroscope-traces-default not provisioned`,
      ],
    });
    const s = ctx.planned.state.current.secrets;
    expect(authorization).toBe(
      `Basic ${Buffer.from(`${s.grafanaAdminUser}:${s.grafanaAdminPassword}`).toString('base64')}`,
    );
  });

  it('leaves the front door out with --front-door external', async () => {
    const stack = fakeStack();
    answering(stack);
    const ctx = await plannedInstall(stack, { frontDoor: 'external' });
    expect(await verifyPhase.run(ctx, recordingIo())).toMatch(
      /^4 endpoint\(s\) answer; data path not checked \(external front door\)/,
    );
    expect(stack.web.requests).toEqual(['10.213.0.12:4040/ready']);
  });
});

describe('a probe of a stack that has just started', () => {
  it('is asked again while it fails, and passes once the endpoint answers', async () => {
    const stack = fakeStack();
    let asked = 0;
    stack.web.http = () =>
      ++asked < 3 ? { status: 503, body: 'no server available' } : { status: 200, body: 'ready' };
    const ctx = await plannedInstall(stack);
    const result = await settledProbe({
      what: 'Pyroscope',
      from: ctx.hosts.forTier('web').remote,
      host: '10.213.0.12',
      port: 4040,
      path: '/ready',
    });
    expect(result).toMatchObject({ ok: true, detail: 'from web-01: HTTP 200' });
    expect(asked).toBe(3);
  });

  it('fails with its last answer once the settle time has passed', async () => {
    const stack = fakeStack();
    let asked = 0;
    stack.web.http = () => ({ status: 503, body: `no server available (${++asked})` });
    const ctx = await plannedInstall(stack);
    const result = await settledProbe(
      { what: 'Pyroscope', from: ctx.hosts.forTier('web').remote, host: '10.213.0.12', port: 4040, path: '/ready' },
      250,
    );
    expect(result.ok).toBe(false);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(result.detail).toBe(`from web-01: HTTP 503 no server available (${asked})`);
  });

  it('waits longer for a 503 when the probe allows it (the front door with no server up yet)', async () => {
    const stack = fakeStack();
    let asked = 0;
    stack.web.http = () => ({ status: 503, body: `no server available (${++asked})` });
    const ctx = await plannedInstall(stack);
    const door = { what: 'Door', from: ctx.hosts.forTier('web').remote, host: '10.213.0.11', port: 9940, path: '/' };
    const started = Date.now();
    expect((await settledProbe({ ...door, unavailableSettleMs: 1000 }, 100)).ok).toBe(false);
    // Polled at about 0, 100, 300 and 700 ms; with 100 ms alone it stops after the second answer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(asked).toBeGreaterThanOrEqual(4);
  });

  it('does not wait longer for a wrong answer that is not a 503', async () => {
    const stack = fakeStack();
    let asked = 0;
    stack.web.http = () => ({ status: 200, body: `forwarded (${++asked})` });
    const ctx = await plannedInstall(stack);
    const door = { what: 'Door', from: ctx.hosts.forTier('web').remote, host: '10.213.0.11', port: 9940, path: '/' };
    const result = await settledProbe({ ...door, expect: () => 'wrong', unavailableSettleMs: 60_000 }, 100);
    expect(result.ok).toBe(false);
    expect(asked).toBeLessThanOrEqual(2);
  });

  it('gives the front door probes, and only them, the longer wait for a 503', async () => {
    const ctx = await plannedInstall(fakeStack());
    const waits = verifyProbes(ctx).map((p) => [p.port, p.unavailableSettleMs]);
    expect(waits.filter(([port]) => port === 9940).every(([, ms]) => ms === 25_000)).toBe(true);
    expect(waits.filter(([port]) => port !== 9940).every(([, ms]) => ms === undefined)).toBe(true);
    expect(waits.some(([port]) => port === 9940)).toBe(true);
  });
});
