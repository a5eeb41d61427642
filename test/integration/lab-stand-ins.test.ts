// The lab's stand-in images behave like the real ones at the seams the installer touches: same
// names, users, ports and health endpoints, and a loud refusal (log line, non-zero exit) for each
// wiring mistake the real image would punish.

import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { component } from '../../src/stack/manifest.js';
import { imageRef } from '../../src/stack/image-ref.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { field } from '../support/protobuf.js';

const skip = labSkipReason();
const image = (name: Parameters<typeof component>[0]) => imageRef(component(name));
const APP = '10.213.0.12';
const DB = '10.213.0.13';
const WEB = '10.213.0.11';

// Protocol Buffers and gRPC, as far as these tests send them (field numbers from the upstream protos).
/** ExportTraceServiceRequest { resource_spans { scope_spans { spans { trace_id, span_id, name } } } }. */
const otlpExport = (traceId: string): Buffer =>
  field(
    1,
    field(
      2,
      field(
        2,
        Buffer.concat([
          field(1, Buffer.from(traceId, 'hex')),
          field(2, Buffer.from('b7ad6b7169203331', 'hex')),
          field(5, 'tenant-op'),
        ]),
      ),
    ),
  );
const OTLP_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const JAEGER_POST_SPANS = '/jaeger.api_v2.CollectorService/PostSpans';
const PUSH = '/push.v1.PusherService/Push';

/** One unary gRPC call over cleartext HTTP/2: grpc-status and grpc-message (trailers, or trailers-only headers). */
async function grpcUnary(
  host: string,
  port: number,
  path: string,
  message: Buffer,
  metadata: Record<string, string> = {},
): Promise<{ grpcStatus: string; grpcMessage: string }> {
  const client = http2.connect(`http://${host}:${port}`);
  try {
    return await new Promise((resolve, reject) => {
      client.on('error', reject);
      const head = Buffer.alloc(5);
      head.writeUInt32BE(message.length, 1);
      const req = client.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', ...metadata });
      const answer = (h: http2.IncomingHttpHeaders) =>
        resolve({
          grpcStatus: String(h['grpc-status']),
          grpcMessage: decodeURIComponent(String(h['grpc-message'] ?? '')),
        });
      let headers: http2.IncomingHttpHeaders = {};
      req.on('response', (h) => (headers = h));
      req.on('trailers', answer);
      req.on('end', () => answer(headers));
      req.on('error', reject);
      req.setTimeout(5000, () => reject(new Error(`no gRPC answer from ${host}:${port}${path} within 5 s`)));
      req.resume();
      req.end(Buffer.concat([head, message]));
    });
  } finally {
    client.close();
  }
}

describe.skipIf(skip !== undefined)('lab stand-in images', () => {
  let scratch: string;
  /** A file (or, with content undefined, a directory) under the scratch dir, owned as asked. */
  function fixture(name: string, content?: string, owner?: [number, number]): string {
    const file = path.join(scratch, name);
    mkdirSync(path.dirname(file), { recursive: true });
    if (content === undefined) mkdirSync(file, { recursive: true });
    else writeFileSync(file, content, { mode: 0o644 });
    if (owner) chownSync(file, owner[0], owner[1]);
    return file;
  }
  const docker = (host: string, args: string[]) => labExec(host, ['docker', ...args], { timeoutMs: 60_000 });
  const status = async (url: string, init?: RequestInit) =>
    (await fetch(url, { ...init, signal: AbortSignal.timeout(3000) })).status;
  const body = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();

  beforeAll(() => {
    requireLab();
    scratch = mkdtempSync(path.join(tmpdir(), 'hplab-stand-ins-'));
  });
  // Between tests only the containers go (fast); the full reset runs once at the end.
  afterEach(async () => {
    for (const host of ['web-01', 'app-01', 'db-01']) {
      await labExec(host, [
        'sh',
        '-c',
        'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1; [ -z "$(docker ps -aq)" ]',
      ]);
    }
  });
  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await resetLab();
  });

  async function startMinio(): Promise<void> {
    const started = await docker('db-01', [
      'run',
      '-d',
      '--name',
      'minio',
      '-p',
      '9000:9000',
      '-p',
      '9001:9001',
      '-e',
      'MINIO_ROOT_USER=heal',
      '-e',
      'MINIO_ROOT_PASSWORD=lab-secret-1',
      image('minio'),
      'server',
      '/data',
      '--console-address',
      ':9001',
    ]);
    expect(started.exitCode, started.stderr).toBe(0);
    await waitFor('MinIO live', async () => (await status(`http://${DB}:9000/minio/health/live`)) === 200);
  }
  const mc = (args: string[], credentials = 'heal:lab-secret-1') =>
    docker('db-01', ['exec', '-e', `MC_HOST_local=http://${credentials}@localhost:9000`, 'minio', 'mc', ...args]);

  describe('pyroscope', () => {
    const config = (endpoint: string, secret = 'lab-secret-1') =>
      `storage:\n  backend: s3\n  s3:\n    endpoint: ${endpoint}\n` +
      `    bucket_name: pyroscope\n    access_key_id: heal\n    secret_access_key: ${secret}\n    insecure: true\n    bucket_lookup_type: path-style\n`;

    it('refuses to start without its config file', async () => {
      const result = await docker('app-01', ['run', '--rm', image('pyroscope')]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'error loading config from /etc/pyroscope/config.yaml: open /etc/pyroscope/config.yaml: no such file or directory',
      );
    });

    it('refuses a data volume its user 10001 cannot write', async () => {
      const result = await docker('app-01', [
        'run',
        '--rm',
        '-v',
        `${fixture('pyro.yaml', config(`${DB}:9000`))}:/etc/pyroscope/config.yaml:ro`,
        '-v',
        `${fixture('root-owned')}:/data`,
        image('pyroscope'),
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/permission denied \(running as uid 10001/);
    });

    it('refuses an S3 endpoint with a scheme', async () => {
      const result = await docker('app-01', [
        'run',
        '--rm',
        '-v',
        `${fixture('pyro-scheme.yaml', config(`http://${DB}:9000`))}:/etc/pyroscope/config.yaml:ro`,
        image('pyroscope'),
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('must be host:port without a scheme');
    });

    it('stays not ready until its bucket exists with matching credentials, then is ready', async () => {
      await startMinio();
      const wrong = fixture('pyro-wrong.yaml', config(`${DB}:9000`, 'not-the-secret'));
      const right = fixture('pyro-right.yaml', config('${S3_ENDPOINT}'));
      await docker('app-01', [
        'run',
        '-d',
        '--name',
        'pyroscope',
        '-p',
        '4040:4040',
        '-e',
        `S3_ENDPOINT=${DB}:9000`,
        '-v',
        `${right}:/etc/pyroscope/config.yaml:ro`,
        image('pyroscope'),
        '-config.file=/etc/pyroscope/config.yaml',
        '-config.expand-env=true',
      ]);
      await waitFor('pyroscope answering', async () => (await status(`http://${APP}:4040/ready`)) === 503);
      expect(await body(`http://${APP}:4040/ready`)).toContain('bucket pyroscope does not exist');
      expect((await mc(['mb', '--ignore-existing', 'local/pyroscope'])).exitCode).toBe(0);
      await waitFor('pyroscope ready', async () => (await status(`http://${APP}:4040/ready`)) === 200);
      await docker('app-01', [
        'run',
        '-d',
        '--name',
        'pyroscope-wrong',
        '-p',
        '4041:4040',
        '-v',
        `${wrong}:/etc/pyroscope/config.yaml:ro`,
        image('pyroscope'),
      ]);
      await waitFor('wrong-key pyroscope answering', async () => (await status(`http://${APP}:4041/ready`)) === 503);
      expect(await body(`http://${APP}:4041/ready`)).toContain('access denied');
    });

    const PYRO = `http://${APP}:4040`;
    const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
    const startPyroscope = async (name: string, yaml: string) => {
      await docker('app-01', [
        'run',
        '-d',
        '--name',
        'pyroscope',
        '-p',
        '4040:4040',
        '-v',
        `${fixture(name, yaml)}:/etc/pyroscope/config.yaml:ro`,
        image('pyroscope'),
        '-config.file=/etc/pyroscope/config.yaml',
      ]);
      await waitFor('pyroscope ready', async () => (await status(`${PYRO}/ready`)) === 200);
    };
    const orgHeader = (org?: string): Record<string, string> => (org === undefined ? {} : { 'X-Scope-OrgID': org });
    const ingestFolded = (service: string, org?: string) =>
      fetch(`${PYRO}/ingest?name=${service}.cpu&format=folded`, {
        method: 'POST',
        body: 'main;work 5\n',
        headers: orgHeader(org),
        signal: AbortSignal.timeout(3000),
      });
    const render = (service: string, org?: string) =>
      fetch(`${PYRO}/pyroscope/render?query=${encodeURIComponent(`${CPU}{service_name="${service}"}`)}&from=now-1h`, {
        headers: orgHeader(org),
        signal: AbortSignal.timeout(3000),
      });
    const ticks = async (response: Response) =>
      ((await response.json()) as { flamebearer: { numTicks: number } }).flamebearer.numTicks;

    it('with multitenancy_enabled refuses requests without X-Scope-OrgID as 1.14.0 does and keeps tenants apart', async () => {
      const invalid = await docker('app-01', [
        'run',
        '--rm',
        '-v',
        `${fixture('pyro-mt-bad.yaml', 'multitenancy_enabled: maybe\n')}:/etc/pyroscope/config.yaml:ro`,
        image('pyroscope'),
      ]);
      expect(invalid.exitCode).toBe(1);
      expect(invalid.stderr).toContain('cannot unmarshal !!str `maybe` into bool');

      await startPyroscope('pyro-mt.yaml', 'multitenancy_enabled: true\n');
      const anonymous = await ingestFolded('mt-app');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toBe('application/json');
      expect(await anonymous.text()).toBe('{"code":"unauthenticated","message":"no org id"}\n');
      expect((await ingestFolded('mt-app', 'team-a')).status).toBe(200);
      const badId = await ingestFolded('mt-app', 'team a');
      expect(badId.status).toBe(401);
      expect(await badId.json()).toEqual({
        code: 'unauthenticated',
        message: "tenant ID 'team a' contains unsupported character ' '",
      });
      expect(await (await ingestFolded('mt-app', '..')).json()).toMatchObject({ message: "tenant ID is '.' or '..'" });
      expect(await (await ingestFolded('mt-app', 'x'.repeat(151))).json()).toMatchObject({
        message: 'tenant ID is too long: max 150 characters',
      });

      expect((await render('mt-app')).status).toBe(401);
      expect(await ticks(await render('mt-app', 'team-a'))).toBe(5);
      expect(await ticks(await render('mt-app', 'team-b'))).toBe(0);
      expect(await ticks(await render('mt-app', 'team-b|team-a'))).toBe(5);
      const badQuery = await render('mt-app', 'team/a');
      expect(badQuery.status).toBe(400);
      expect(await badQuery.json()).toMatchObject({ code: 'invalid_argument' });

      expect(await grpcUnary(APP, 4040, PUSH, Buffer.alloc(0))).toEqual({ grpcStatus: '16', grpcMessage: 'no org id' });
      expect(await grpcUnary(APP, 4040, PUSH, Buffer.alloc(0), { 'x-scope-orgid': 'team-a' })).toEqual({
        grpcStatus: '0',
        grpcMessage: '',
      });
      expect(await status(`${PYRO}/ready`)).toBe(200);
    });

    it('without multitenancy ignores X-Scope-OrgID and keeps everything as tenant anonymous', async () => {
      await startPyroscope('pyro-st.yaml', 'server:\n  http_listen_port: 4040\n');
      expect((await ingestFolded('st-app', 'team-a')).status).toBe(200);
      expect(await ticks(await render('st-app'))).toBe(5);
      expect(await ticks(await render('st-app', 'team-b'))).toBe(5);
      expect(await grpcUnary(APP, 4040, PUSH, Buffer.alloc(0))).toMatchObject({ grpcStatus: '0' });
      const stored = await docker('app-01', ['exec', 'pyroscope', 'ls', '/tmp/lab-store/tenants']);
      expect(stored.stdout.trim()).toBe('anonymous');
    });
  });

  describe('tempo', () => {
    const config = (otlp: string) =>
      `server:\n  http_listen_port: 3200\ndistributor:\n  receivers:\n    otlp:\n      protocols:\n        grpc:\n${otlp}` +
      `    jaeger:\n      protocols:\n        grpc:\n          endpoint: 0.0.0.0:14250\nstorage:\n  trace:\n    backend: s3\n    s3:\n` +
      `      bucket: tempo\n      endpoint: ${DB}:9000\n      access_key: heal\n      secret_key: lab-secret-1\n      insecure: true\n`;

    it('refuses to start without a config file', async () => {
      const result = await docker('app-01', ['run', '--rm', image('tempo'), '-config.file=/etc/tempo.yaml']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'failed to read configFile /etc/tempo.yaml: open /etc/tempo.yaml: no such file or directory',
      );
    });

    it('refuses a /var/tempo its user 10001 cannot write', async () => {
      const result = await docker('app-01', [
        'run',
        '--rm',
        '-v',
        `${fixture('tempo.yaml', config('          endpoint: 0.0.0.0:4317\n'))}:/etc/tempo.yaml:ro`,
        '-v',
        `${fixture('tempo-root-owned')}:/var/tempo`,
        image('tempo'),
        '-config.file=/etc/tempo.yaml',
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/failed to create WAL.*permission denied/);
    });

    /** Tempo's stand-in on app-01 with `yaml` as its config, once its HTTP API answers. */
    const startTempo = async (name: string, yaml: string) => {
      await docker('app-01', [
        'run',
        '-d',
        '--name',
        'tempo',
        '-p',
        '3200:3200',
        '-p',
        '4317:4317',
        '-p',
        '14250:14250',
        '-v',
        `${fixture(name, yaml)}:/etc/tempo.yaml:ro`,
        image('tempo'),
        '-config.file=/etc/tempo.yaml',
      ]);
      await waitFor('tempo answering', async () => (await status(`http://${APP}:3200/api/echo`)) === 200);
    };

    it('listens for OTLP on localhost only unless the endpoint says 0.0.0.0:4317', async () => {
      await startTempo('tempo-local.yaml', config(''));
      const probe = (port: number) => labExec('target-01', ['timeout', '3', 'bash', '-c', `</dev/tcp/${APP}/${port}`]);
      expect((await probe(14250)).exitCode).toBe(0);
      const otlp = await probe(4317);
      expect(otlp.exitCode).toBe(1);
      expect(otlp.stderr).toContain('Connection refused');
      await docker('app-01', ['rm', '-f', 'tempo']);
      const open = fixture('tempo-open.yaml', config('          endpoint: "0.0.0.0:4317"\n'));
      await docker('app-01', [
        'run',
        '-d',
        '--name',
        'tempo',
        '-p',
        '4317:4317',
        '-v',
        `${open}:/etc/tempo.yaml:ro`,
        image('tempo'),
        '-config.file=/etc/tempo.yaml',
      ]);
      await waitFor('OTLP reachable from target-01', async () => (await probe(4317)).exitCode === 0);
    });

    const traceById = (traceId: string, org?: string) =>
      fetch(`http://${APP}:3200/api/traces/${traceId}`, {
        headers: org === undefined ? {} : { 'X-Scope-OrgID': org },
        signal: AbortSignal.timeout(3000),
      });

    it('with multitenancy_enabled needs a tenant to ingest and query, as 2.8.1 does, and keeps tenants apart', async () => {
      await startTempo('tempo-mt.yaml', `multitenancy_enabled: true\n${config('          endpoint: 0.0.0.0:4317\n')}`);
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      // The receivers' multiTenancyMiddleware: the OTLP receiver answers Unavailable, Jaeger Unknown.
      expect(await grpcUnary(APP, 4317, OTLP_EXPORT, otlpExport(traceId))).toEqual({
        grpcStatus: '14',
        grpcMessage: 'no org id',
      });
      expect(await grpcUnary(APP, 14250, JAEGER_POST_SPANS, Buffer.alloc(0))).toEqual({
        grpcStatus: '2',
        grpcMessage: 'no org id',
      });
      expect(await grpcUnary(APP, 4317, OTLP_EXPORT, otlpExport(traceId), { 'x-scope-orgid': 'team-a' })).toEqual({
        grpcStatus: '0',
        grpcMessage: '',
      });

      const anonymous = await traceById(traceId);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).toBe('no org id\n');
      const own = await traceById(traceId, 'team-a');
      expect(own.status).toBe(200);
      expect(await own.text()).toContain('tenant-op');
      expect((await traceById(traceId, 'team-b')).status).toBe(404);
      expect((await traceById(traceId, 'team-b|team-a')).status).toBe(200);
      const badId = await traceById(traceId, 'team a');
      expect(badId.status).toBe(400);
      expect(await badId.text()).toBe("tenant ID 'team a' contains unsupported character ' '");
      expect(await status(`http://${APP}:3200/api/echo`)).toBe(200);
    });

    it('without multitenancy ignores X-Scope-OrgID and keeps everything as tenant single-tenant', async () => {
      await startTempo('tempo-st.yaml', config('          endpoint: 0.0.0.0:4317\n'));
      const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
      expect(await grpcUnary(APP, 4317, OTLP_EXPORT, otlpExport(traceId), { 'x-scope-orgid': 'team-a' })).toMatchObject(
        {
          grpcStatus: '0',
        },
      );
      expect((await traceById(traceId)).status).toBe(200);
      expect((await traceById(traceId, 'team-b')).status).toBe(200);
      const stored = await docker('app-01', ['exec', 'tempo', 'ls', '/tmp/lab-store/tenants']);
      expect(stored.stdout.trim()).toBe('single-tenant');
    });
  });

  describe('grafana', () => {
    // What keeps the real Grafana 12 from calling grafana.com at start.
    const offline = [
      'GF_PLUGINS_PREINSTALL_DISABLED=true',
      'GF_ANALYTICS_CHECK_FOR_UPDATES=false',
      'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false',
      'GF_NEWS_NEWS_FEED_ENABLED=false',
    ];
    const env = (settings: string[]) => settings.flatMap((s) => ['-e', s]);

    it('refuses to start when it would reach grafana.com, naming each setting still missing', async () => {
      const none = await docker('app-01', ['run', '--rm', image('grafana')]);
      expect(none.exitCode).toBe(1);
      expect(none.stderr).toContain(
        `the real grafana/grafana:${component('grafana').tag} would reach grafana.com at start-up`,
      );
      expect(none.stderr).toContain(`set ${offline.join(' ')}`);
      const feedOn = await docker('app-01', [
        'run',
        '--rm',
        ...env([...offline.slice(0, 3), 'GF_NEWS_NEWS_FEED_ENABLED=true']),
        image('grafana'),
      ]);
      expect(feedOn.exitCode).toBe(1);
      expect(feedOn.stderr).toMatch(/would reach grafana\.com.*; set GF_NEWS_NEWS_FEED_ENABLED=false$/m);
    });

    it('refuses both GF_SECURITY_ADMIN_PASSWORD and its __FILE form', async () => {
      const result = await docker('app-01', [
        'run',
        '--rm',
        '-e',
        'GF_SECURITY_ADMIN_PASSWORD=x',
        '-e',
        'GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/pw',
        '-v',
        `${fixture('grafana-pw', 'secret\n')}:/run/secrets/pw:ro`,
        image('grafana'),
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'Both GF_SECURITY_ADMIN_PASSWORD and GF_SECURITY_ADMIN_PASSWORD__FILE are set (but are exclusive)',
      );
    });

    it('refuses a data directory uid 472 cannot write', async () => {
      const result = await docker('app-01', [
        'run',
        '--rm',
        '-v',
        `${fixture('grafana-root-owned')}:/var/lib/grafana`,
        image('grafana'),
      ]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("GF_PATHS_DATA='/var/lib/grafana' is not writable.");
    });

    it('serves /api/health and the provisioned data sources, with the admin password from its file', async () => {
      const data = fixture('grafana-data', undefined, [472, 0]);
      const sources = fixture(
        'provisioning/datasources/heal.yaml',
        'apiVersion: 1\ndatasources:\n  - name: Pyroscope\n    type: grafana-pyroscope-datasource\n    uid: pyroscope\n    url: http://heal-pyroscope-pyroscope:4040\n',
      );
      await docker('app-01', [
        'run',
        '-d',
        '--name',
        'grafana',
        '-p',
        '3000:3000',
        ...env(offline),
        '-e',
        'GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/pw',
        '-v',
        `${fixture('grafana-pw2', 'from-file\n')}:/run/secrets/pw:ro`,
        '-v',
        `${data}:/var/lib/grafana`,
        '-v',
        `${path.dirname(path.dirname(sources))}:/etc/grafana/provisioning:ro`,
        image('grafana'),
      ]);
      await waitFor('grafana health', async () => (await status(`http://${APP}:3000/api/health`)) === 200);
      const auth = { headers: { authorization: `Basic ${Buffer.from('admin:from-file').toString('base64')}` } };
      const list = await (await fetch(`http://${APP}:3000/api/datasources`, auth)).json();
      expect(list).toEqual([expect.objectContaining({ uid: 'pyroscope', type: 'grafana-pyroscope-datasource' })]);
      expect(
        await status(`http://${APP}:3000/api/user`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }),
      ).toBe(401);
    });
  });

  describe('minio', () => {
    const serve = (env: string[]) =>
      docker('db-01', ['run', '--rm', ...env, image('minio'), 'server', '/data', '--console-address', ':9001']);

    it('refuses to start with no root credentials instead of using minioadmin', async () => {
      const result = await serve([]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('refuses the default credentials minioadmin:minioadmin');
    });

    it('refuses a root user without a password', async () => {
      const result = await serve(['-e', 'MINIO_ROOT_USER=heal']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Missing credential environment variable, "MINIO_ROOT_PASSWORD"');
    });

    it('reads the credentials from MINIO_ROOT_USER_FILE and MINIO_ROOT_PASSWORD_FILE', async () => {
      await docker('db-01', [
        'run',
        '-d',
        '--name',
        'minio',
        '-p',
        '9000:9000',
        '-e',
        'MINIO_ROOT_USER_FILE=/run/secrets/user',
        '-e',
        'MINIO_ROOT_PASSWORD_FILE=/run/secrets/password',
        '-v',
        `${fixture('minio-user', 'heal')}:/run/secrets/user:ro`,
        '-v',
        `${fixture('minio-password', 'lab-secret-1')}:/run/secrets/password:ro`,
        image('minio'),
        'server',
        '/data',
        '--console-address',
        ':9001',
      ]);
      await waitFor('MinIO live', async () => (await status(`http://${DB}:9000/minio/health/live`)) === 200);
      expect((await mc(['mb', 'local/tempo'])).exitCode).toBe(0);
    });

    it('creates buckets idempotently with mc, only with the root credentials', async () => {
      await startMinio();
      expect((await mc(['mb', '--ignore-existing', 'local/pyroscope'])).exitCode).toBe(0);
      expect((await mc(['mb', '--ignore-existing', 'local/pyroscope'])).exitCode).toBe(0);
      const again = await mc(['mb', 'local/pyroscope']);
      expect(again.exitCode).toBe(1);
      expect(again.stderr).toContain('you already own it');
      const wrong = await mc(['mb', 'local/tempo'], 'heal:wrong-secret');
      expect(wrong.exitCode).toBe(1);
      expect(wrong.stderr).toContain('signature we calculated does not match');
      expect((await mc(['ls', 'local'])).stdout).toMatch(/pyroscope\/\n?$/);
    });
  });

  describe('haproxy', () => {
    it('runs the real haproxy binary, which refuses a missing haproxy.cfg', async () => {
      const result = await docker('web-01', ['run', '--rm', image('haproxy')]);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('Cannot open configuration file/directory /usr/local/etc/haproxy/haproxy.cfg');
    });

    it('serves a mounted haproxy.cfg on 9940 as user 99', async () => {
      const cfg = fixture(
        'haproxy.cfg',
        'defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n' +
          'frontend front\n  bind :9940\n  monitor-uri /healthz\n  default_backend app\nbackend app\n  server app 10.213.0.12:4040\n',
      );
      await docker('web-01', [
        'run',
        '-d',
        '--name',
        'haproxy',
        '-p',
        '9940:9940',
        '-v',
        `${cfg}:/usr/local/etc/haproxy/haproxy.cfg:ro`,
        image('haproxy'),
      ]);
      await waitFor('haproxy /healthz', async () => (await status(`http://${WEB}:9940/healthz`)) === 200);
      expect((await docker('web-01', ['exec', 'haproxy', 'id', '-u'])).stdout.trim()).toBe('99');
    });
  });
});
