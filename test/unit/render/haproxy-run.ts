// Runs a rendered front door for real: the machine's HAProxy on a loopback port, in front of
// cleartext HTTP/2 stand-ins for Pyroscope and Tempo's two receivers that record what reaches them.
// Only the addresses (loopback, free ports) and the check interval of the rendered file change.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export type Upstream = 'pyroscope' | 'tempo_otlp' | 'tempo_jaeger' | 'tempo_otlp_http';

/** A request as one of the stand-ins received it. */
export interface Received {
  upstream: Upstream;
  method: string;
  path: string;
  /** `:authority`, or the Host header HAProxy may send in its place. */
  authority: string | undefined;
  id: string | undefined;
  /** The X-Scope-OrgID and Authorization headers that reached it (the door sets one, drops the other). */
  tenant: string | undefined;
  authorization: string | undefined;
}

export interface Answer {
  status: number;
  body: string;
  /** The stand-in that answered, or null when HAProxy answered itself. */
  reached: Upstream | null;
}

/** Where each upstream listens in the rendered file (the app host is 127.0.0.1). */
const RENDERED_PORTS: Record<Upstream, number> = {
  pyroscope: 4040,
  tempo_otlp: 4317,
  tempo_jaeger: 14250,
  tempo_otlp_http: 4318,
};
const TIMEOUT_MS = 5000;

/** Whether `haproxy` can be run here; in CI its absence is a failure, not a skip. */
export async function haproxyAvailability(): Promise<{ skip: boolean; inCI: boolean }> {
  const haproxy = await execa('haproxy', ['-v'], { reject: false });
  const missing = haproxy.failed && (haproxy as { code?: string }).code === 'ENOENT';
  const inCI = Boolean(process.env.CI) && process.env.CI !== 'false';
  if (missing && !inCI)
    console.warn('haproxy is not installed: skipping the tests that run it (install the haproxy package to run them)');
  return { skip: missing && !inCI, inCI };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A strict HTTP/2 server (Node's, on nghttp2: it resets a request without `:authority` or Host).
 * Pyroscope's stand-in answers `/ready` and, like Pyroscope's router, refuses a GET on a push
 * route with 405; everything else gets 200 naming the stand-in.
 */
async function standIn(
  upstream: Upstream,
  received: Received[],
): Promise<{ server: http2.Http2Server | http.Server; port: number }> {
  // Tempo's OTLP HTTP receiver speaks HTTP/1.1 (the door's backend has no `proto h2`).
  if (upstream === 'tempo_otlp_http') {
    const server = http.createServer((req, res) => {
      const id = req.headers['x-request-id'];
      received.push({
        upstream,
        method: req.method ?? '',
        path: req.url ?? '',
        authority: req.headers.host,
        id: typeof id === 'string' ? id : undefined,
        tenant: req.headers['x-scope-orgid'] as string | undefined,
        authorization: req.headers.authorization,
      });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }
  const server = http2.createServer();
  server.on('sessionError', () => {});
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    const method = String(headers[':method']);
    const id = headers['x-request-id'];
    received.push({
      upstream,
      method,
      path,
      authority: (headers[':authority'] ?? headers.host) as string | undefined,
      id: typeof id === 'string' ? id : undefined,
      tenant: headers['x-scope-orgid'] as string | undefined,
      authorization: headers.authorization,
    });
    stream.on('error', () => {});
    const status = upstream === 'pyroscope' && method === 'GET' && path.split('?')[0] === '/ingest' ? 405 : 200;
    stream.respond({ ':status': status, 'content-type': 'text/plain', 'x-stand-in': upstream });
    stream.end(status === 405 ? '' : `${upstream} stand-in`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export interface RunningDoor {
  port: number;
  received: Received[];
  /** HAProxy's own output (log lines, alerts), for failure messages. */
  output(): string;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  /** A gRPC-shaped POST over HTTP/2 (TLS with ALPN h2, or cleartext with prior knowledge), as an OTLP exporter sends. */
  grpc(path: string, headers?: Record<string, string>): Promise<Answer>;
  /** The request with this answer's id, as the stand-in received it. */
  receivedFor(answer: Answer): Received | undefined;
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A door rendered with TLS: the `crt` file it names, and the CA its clients trust. */
export interface DoorTls {
  pem: string;
  ca: string;
}

/**
 * Starts HAProxy with `cfg` (rendered for app host 127.0.0.1) and the three stand-ins. With `tls`,
 * the certificate file is written beside the config, and the clients speak TLS trusting `tls.ca`.
 */
export async function startFrontDoor(
  cfg: string,
  tls?: DoorTls,
  auth?: { mapPath: string; map: string },
): Promise<RunningDoor> {
  const received: Received[] = [];
  const upstreams = await Promise.all(
    (Object.keys(RENDERED_PORTS) as Upstream[]).map(async (u) => [u, await standIn(u, received)] as const),
  );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'heal-front-door-'));
  let running = cfg
    .replace(/^( {4}bind ):9940( ssl crt )\S+/m, `$1127.0.0.1:${port}$2${join(dir, 'front-door.pem')}`)
    .replace(/^( {4}bind ):9940$/m, `$1127.0.0.1:${port}`)
    .replaceAll('check inter 10s', 'check inter 200ms');
  for (const [u, s] of upstreams) running = running.replaceAll(`127.0.0.1:${RENDERED_PORTS[u]}`, `127.0.0.1:${s.port}`);

  if (tls) writeFileSync(join(dir, 'front-door.pem'), tls.pem, { mode: 0o600 });
  if (auth) {
    writeFileSync(join(dir, 'tenants.map'), auth.map, { mode: 0o600 });
    running = running.replaceAll(auth.mapPath, join(dir, 'tenants.map'));
  }
  writeFileSync(join(dir, 'haproxy.cfg'), running);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += String(d)));
  child.stderr!.on('data', (d: Buffer) => (output += String(d)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let nextId = 0;

  const reachedBy = (id: string): Upstream | null => received.find((r) => r.id === id)?.upstream ?? null;
  const ids = new WeakMap<Answer, string>();
  const answer = (id: string, status: number, body: string): Answer => {
    const a = { status, body, reached: reachedBy(id) };
    ids.set(a, id);
    return a;
  };

  const door: RunningDoor = {
    port,
    received,
    output: () => output,
    receivedFor: (a) => received.find((r) => r.id === ids.get(a)),
    get(path, headers = {}) {
      const id = String(++nextId);
      return new Promise<Answer>((resolve, reject) => {
        const options = {
          host: '127.0.0.1',
          port,
          path,
          agent: false,
          timeout: TIMEOUT_MS,
          headers: { ...headers, 'x-request-id': id },
        };
        const request = (tls ? https : http).get(tls ? { ...options, ca: tls.ca } : options, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += String(chunk)));
          response.on('end', () => resolve(answer(id, response.statusCode ?? 0, body)));
        });
        request.on('timeout', () => request.destroy(new Error(`no answer to GET ${path} within ${TIMEOUT_MS} ms`)));
        request.on('error', reject);
      });
    },
    grpc(path, headers = {}) {
      const id = String(++nextId);
      return new Promise<Answer>((resolve, reject) => {
        const session = tls
          ? http2.connect(`https://127.0.0.1:${port}`, { ca: tls.ca })
          : http2.connect(`http://127.0.0.1:${port}`);
        const timer = setTimeout(
          () => session.destroy(new Error(`no answer to POST ${path} within ${TIMEOUT_MS} ms`)),
          TIMEOUT_MS,
        );
        const fail = (error: Error): void => {
          clearTimeout(timer);
          session.destroy();
          reject(error);
        };
        session.on('error', fail);
        const stream = session.request({
          ...headers,
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/grpc',
          te: 'trailers',
          'x-request-id': id,
        });
        let status = 0;
        let body = '';
        stream.on('response', (headers) => (status = Number(headers[':status'])));
        stream.on('data', (chunk: Buffer) => (body += String(chunk)));
        stream.on('end', () => {
          clearTimeout(timer);
          session.close();
          resolve(answer(id, status, body));
        });
        stream.on('error', fail);
        // An empty gRPC message: uncompressed, length 0.
        stream.end(Buffer.alloc(5));
      });
    },
    async waitFor(what, check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (child.exitCode !== null)
          throw new Error(`HAProxy exited (${child.exitCode}) while waiting for ${what}:\n${output}`);
        if (Date.now() > deadline)
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; HAProxy said:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(upstreams.map(([, s]) => new Promise((resolve) => s.server.close(resolve))));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  // Listening: the monitor URI answers. A failed start shows HAProxy's alerts.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`HAProxy did not start (exit ${child.exitCode}):\n${output}`);
    const up = await door.get('/healthz').then(
      (a) => a.status === 200,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await door.stop();
      throw new Error(`HAProxy did not answer on 127.0.0.1:${port} within 10 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return door;
}
