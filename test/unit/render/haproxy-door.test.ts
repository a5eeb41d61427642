// The rendered front door, run for real: the machine's HAProxy on loopback in front of strict HTTP/2
// stand-ins for Pyroscope and Tempo's receivers. What a target can reach through port 9940 is
// exactly what this file lists: the ingest paths; everything else is HAProxy's own 404.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachedPyroscope, refusedQuery } from '../../../src/phases/install/verify-endpoints.js';
import { renderContext } from '../../../src/render/context.js';
import { FRONT_DOOR_REFUSAL, renderHaproxy } from '../../../src/render/haproxy.js';
import { haproxyAvailability, startFrontDoor, type RunningDoor } from './haproxy-run.js';
import { sampleInput } from './sample-context.js';

const cfg = renderHaproxy(
  renderContext(sampleInput({ hosts: { web: '127.0.0.1', app: '127.0.0.1', db: '127.0.0.1' } })),
).files[0]!.content;
const availability = await haproxyAvailability();

describe.skipIf(availability.skip)('front door, running (HAProxy on loopback)', () => {
  let door: RunningDoor;
  beforeAll(async () => {
    door = await startFrontDoor(cfg);
  }, 20_000);
  afterAll(async () => {
    await door?.stop();
  });

  it.each([
    ['/ingest?name=app.cpu&from=1&until=2', 'pyroscope'],
    ['/pyroscope/ingest?name=app.cpu', 'pyroscope'],
  ] as const)('forwards the HTTP push %s to %s', async (path, upstream) => {
    const answer = await door.get(path);
    expect(answer.reached, door.output()).toBe(upstream);
  });

  it.each([
    ['/push.v1.PusherService/Push', 'pyroscope'],
    ['/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export', 'pyroscope'],
    ['/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'tempo_otlp'],
    ['/jaeger.api_v2.CollectorService/PostSpans', 'tempo_jaeger'],
  ] as const)('forwards the gRPC push %s over cleartext HTTP/2 to %s', async (path, upstream) => {
    const answer = await door.grpc(path);
    expect(answer, door.output()).toMatchObject({ status: 200, reached: upstream });
    expect(door.received.find((r) => r.path === path)).toMatchObject({ upstream, method: 'POST' });
  });

  it.each([
    '/',
    '/ready',
    '/api/search',
    '/api/search?tags=service.name%3Dapp',
    '/api/traces/0af7651916cd43dd',
    '/api/v2/traces/0af7651916cd43dd',
    '/api/echo',
    '/querier.v1.QuerierService/SelectMergeStacktraces',
    '/pyroscope/render?query=process_cpu',
    '/pyroscope/label-values?label=service_name',
    '/api/v1/status/config',
    '/ingest/extra',
    '/INGEST',
  ])('answers the non-ingest path %s itself with 404', async (path) => {
    const answer = await door.get(path);
    expect(answer).toEqual({ status: 404, body: FRONT_DOOR_REFUSAL, reached: null });
  });

  it('answers a Pyroscope query over gRPC itself with 404', async () => {
    const answer = await door.grpc('/querier.v1.QuerierService/SelectMergeStacktraces');
    expect(answer).toMatchObject({ status: 404, reached: null });
  });

  it.each([
    '/push.v1.PusherService/../querier.v1.QuerierService/SelectMergeStacktraces',
    '/push.v1.PusherService/%2e%2e/querier.v1.QuerierService/SelectMergeStacktraces',
    '/opentelemetry.proto.collector.trace.v1.TraceService//../../api/search',
  ])('does not let %s hide a query behind an ingest prefix', async (path) => {
    const answer = await door.get(path);
    expect(answer).toMatchObject({ status: 404, body: FRONT_DOOR_REFUSAL, reached: null });
  });

  it('answers its health URI itself with 200', async () => {
    const answer = await door.get('/healthz');
    expect(answer).toMatchObject({ status: 200, reached: null });
  });

  it('health-checks Pyroscope with a Host, which a strict HTTP/2 server needs to keep the backend UP', async () => {
    await door.waitFor('a health check on /ready', () => door.received.some((r) => r.path === '/ready'), 3000);
    const check = door.received.find((r) => r.path === '/ready')!;
    expect(check).toMatchObject({ upstream: 'pyroscope', method: 'GET' });
    expect(check.authority).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(door.output()).not.toMatch(/heal_pyroscope_pyroscope\/pyroscope is DOWN/);
  });

  describe('the verify phase reading these answers', () => {
    it('takes Pyroscope refusing a GET on /ingest (405) as the ingest route working', async () => {
      const answer = await door.get('/ingest');
      expect(answer).toMatchObject({ status: 405, reached: 'pyroscope' });
      expect(reachedPyroscope(answer)).toBeNull();
    });

    it("takes the door's 404 on /ingest as the route missing", () => {
      expect(reachedPyroscope({ status: 404, body: FRONT_DOOR_REFUSAL })).toMatch(/front door itself/);
    });

    it("takes the door's 404 on /api/search as queries refused, and a forwarded answer as a leak", async () => {
      expect(refusedQuery(await door.get('/api/search'))).toBeNull();
      expect(refusedQuery({ status: 404, body: '404 page not found' })).toMatch(/forwards a query path/);
    });
  });
});
