// The installed front door is ingest-only, seen from where agents stand: a target host's push reaches
// Pyroscope, an OTLP gRPC export over h2c reaches Tempo's receiver, and every query path gets
// HAProxy's own 404. HAProxy's log on web-01 says which backend and server a finished request went
// to; the lab's receivers speak gRPC, so an export gets Tempo's grpc-status 0 through the door.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAll, httpGet, nonInteractive, type Fleet, type RemoteHost } from '../../src/remote/index.js';
import { FRONT_DOOR_MAX_BODY_MIB, FRONT_DOOR_REFUSAL } from '../../src/render/haproxy.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { labTarget } from '../support/lab-targets.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { h2cFrom } from '../support/h2c.js';

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
  /** GET through the door from target-01, over its SSH session, as an agent there would. */
  const fromTarget = (path: string) => httpGet(target.session, web(), DOOR_PORT, path, { timeoutMs: 5000 });

  beforeAll(async () => {
    await resetLab();
    topo = labTopologyFile(lab);
    const r = await runCli(['--json', 'install', '--config', topo.path, '--wait', '60', '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    verified = (JSON.parse(r.stdout) as { verified: typeof verified }).verified;
    fleet = await connectAll([labTarget(lab, 'target-01', {}, { connectTimeoutMs: 5000 })], {
      interaction: nonInteractive,
    });
    target = fleet.host('target-01');
  }, 300_000);
  afterAll(async () => {
    await fleet?.close();
    if (topo)
      await runCli(['uninstall', '--config', topo.path, '--purge', '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
    await resetLab();
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
      timeoutMs: 5000,
    });
    expect(answer.status, answer.body).toBe(200);
    const line = await loggedRequest(path, 'heal_pyroscope_pyroscope/pyroscope');
    expect(line).toMatch(/ 200 /);
    expect(connectTime(line)).toBeGreaterThanOrEqual(0);
  });

  it("forwards an OTLP gRPC trace export over h2c to Tempo's OTLP receiver", async () => {
    const path = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
    const session = await h2cFrom(target.session, web(), DOOR_PORT);
    session.on('error', () => {});
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
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
    '/',
  ])('answers %s from a target host itself with 404', async (path) => {
    const answer = await fromTarget(path);
    expect(answer).toEqual({ status: 404, body: FRONT_DOOR_REFUSAL });
  });

  it('answers a Pyroscope query over gRPC itself with 404', async () => {
    const session = await h2cFrom(target.session, web(), DOOR_PORT);
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
      headers: { 'Content-Length': String(100 * 1024 * 1024) },
      body: Buffer.alloc(64 * 1024, 0x61),
      timeoutMs: 10_000,
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
      timeoutMs: 30_000,
    });
    expect(within.status).not.toBe(413);
  });

  it('answers its health URI itself with 200', async () => {
    expect((await fromTarget('/healthz')).status).toBe(200);
  });
});
