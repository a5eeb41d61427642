// The rendered front door with tenants, run for real (the machine's HAProxy on loopback): a push
// needs a tenant's basic-auth credentials (HTTP, and gRPC metadata), gets the door's own 401
// without them, and reaches Pyroscope or Tempo with X-Scope-OrgID set from the credentials alone:
// a client's own X-Scope-OrgID is dropped, and the credentials go no further than the door.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import {
  basicAuthorization,
  FRONT_DOOR_UNAUTHORIZED,
  renderHaproxy,
  TENANT_CREDENTIALS_PATH,
  TENANTS_MAP_PATH,
  TENANTS_MAP_TARGET,
} from '../../../src/render/haproxy.js';
import { haproxyAvailability, startFrontDoor, type RunningDoor } from './haproxy-run.js';
import { sampleInput } from './sample-context.js';

const teamA = { name: 'team-a', password: 'A'.repeat(43) };
const teamB = { name: 'team-b', password: 'b-'.repeat(20) };
const files = renderHaproxy(
  renderContext(
    sampleInput({ hosts: { web: '127.0.0.1', app: '127.0.0.1', db: '127.0.0.1' }, tenants: [teamA, teamB] }),
  ),
).files;
const cfg = files[0]!.content;
const map = files.find((f) => f.path === TENANTS_MAP_PATH)!;
const availability = await haproxyAvailability();

describe('the tenant files the door is given', () => {
  it('holds hashes in the map, never a password, and keeps the passwords to root', () => {
    expect(map.content).not.toContain(teamA.password);
    expect(map.content).not.toContain(Buffer.from(`${teamA.name}:${teamA.password}`).toString('base64'));
    expect(map.content).toMatch(/^[0-9a-f]{64} team-a$/m);
    expect(map).toMatchObject({ mode: 0o600, secret: true, mountTarget: TENANTS_MAP_TARGET });
    const credentials = files.find((f) => f.path === TENANT_CREDENTIALS_PATH)!;
    expect(credentials).toMatchObject({ mode: 0o600, secret: true, mountTarget: null, owner: { uid: 0, gid: 0 } });
    expect(JSON.parse(credentials.content)).toEqual({
      tenants: { 'team-a': teamA.password, 'team-b': teamB.password },
    });
    expect(cfg).not.toContain(teamA.password);
  });
});

describe.skipIf(availability.skip)('front door with tenants, running (HAProxy on loopback)', () => {
  let door: RunningDoor;
  beforeAll(async () => {
    door = await startFrontDoor(cfg, undefined, { mapPath: TENANTS_MAP_TARGET, map: map.content });
  }, 20_000);
  afterAll(async () => {
    await door?.stop();
  });

  it('keeps /healthz open', async () => {
    expect((await door.get('/healthz')).status).toBe(200);
  });

  it('answers a push without credentials, or with wrong ones, with its own 401', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: basicAuthorization({ name: 'team-a', password: 'wrong-password-123' }) },
      { Authorization: basicAuthorization({ name: 'nobody', password: teamA.password }) },
      { 'X-Scope-OrgID': 'team-a' },
    ];
    for (const headers of attempts) {
      const a = await door.get('/ingest?name=app', headers);
      expect(a.status, JSON.stringify(headers)).toBe(401);
      expect(a.body).toContain(FRONT_DOOR_UNAUTHORIZED);
      expect(a.reached).toBeNull();
    }
    const grpc = await door.grpc('/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    expect(grpc).toMatchObject({ status: 401, reached: null });
  });

  it("sets the tenant from the credentials, drops the client's own X-Scope-OrgID and the credentials", async () => {
    const a = await door.get('/ingest?name=app', {
      Authorization: basicAuthorization(teamA),
      'X-Scope-OrgID': 'team-b',
    });
    expect(a.reached, door.output()).toBe('pyroscope');
    expect(door.receivedFor(a)).toMatchObject({ tenant: 'team-a', authorization: undefined });
    const b = await door.grpc('/opentelemetry.proto.collector.trace.v1.TraceService/Export', {
      authorization: basicAuthorization(teamB),
      'x-scope-orgid': 'team-a',
    });
    expect(b).toMatchObject({ status: 200, reached: 'tempo_otlp' });
    expect(door.receivedFor(b)).toMatchObject({ tenant: 'team-b', authorization: undefined });
  });

  it('answers a path that is not an ingest path with 404 before asking for credentials', async () => {
    expect((await door.get('/api/search')).status).toBe(404);
    // OTLP over HTTP is opt-in: without frontDoor.otlpHttp its path is refused like any other.
    expect((await door.get('/v1/traces', { Authorization: basicAuthorization(teamA) })).status).toBe(404);
  });
});

describe.skipIf(availability.skip)('front door with OTLP over HTTP (frontDoor.otlpHttp), running', () => {
  const rendered = renderHaproxy(
    renderContext(
      sampleInput({
        hosts: { web: '127.0.0.1', app: '127.0.0.1', db: '127.0.0.1' },
        tenants: [teamA],
        otlpHttp: true,
      }),
    ),
  ).files;
  let door: RunningDoor;
  beforeAll(async () => {
    const tenants = rendered.find((f) => f.path === TENANTS_MAP_PATH)!.content;
    door = await startFrontDoor(rendered[0]!.content, undefined, { mapPath: TENANTS_MAP_TARGET, map: tenants });
  }, 20_000);
  afterAll(async () => {
    await door?.stop();
  });

  it("forwards /v1/traces to Tempo's OTLP HTTP receiver with the tenant, and asks for credentials", async () => {
    const a = await door.get('/v1/traces', { Authorization: basicAuthorization(teamA), 'X-Scope-OrgID': 'team-b' });
    expect(a.reached, door.output()).toBe('tempo_otlp_http');
    expect(door.receivedFor(a)).toMatchObject({ tenant: 'team-a', authorization: undefined });
    expect(await door.get('/v1/traces')).toMatchObject({ status: 401, reached: null });
    // Only that path: the receiver's other signals stay closed.
    expect((await door.get('/v1/metrics', { Authorization: basicAuthorization(teamA) })).status).toBe(404);
  });
});
