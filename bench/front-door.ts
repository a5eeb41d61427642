// The cost of TLS and authentication on the front door: ingest requests per second through the
// rendered HAProxy on loopback, plain, with the certificate install makes, and with that certificate
// and a tenant's basic-auth credentials (the map lookup of their SHA-256), in front of the same
// stand-in, at the same concurrency. Two client shapes: agents that keep their connection (every SDK does) and a client
// that opens a connection per push (the worst case: a TLS handshake each time).
import http from 'node:http';
import https from 'node:https';
import { renderContext } from '../src/render/context.js';
import {
  basicAuthorization,
  renderHaproxy,
  TENANTS_MAP_PATH,
  TENANTS_MAP_TARGET,
  TLS_CERTIFICATE_PATH,
} from '../src/render/haproxy.js';
import { frontDoorTlsFor } from '../src/tls/certificates.js';
import { startFrontDoor, type RunningDoor } from '../test/unit/render/haproxy-run.js';
import { sampleInput } from '../test/unit/render/sample-context.js';

const CONCURRENCY = Number(process.env.BENCH_DOOR_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_DOOR_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_DOOR_ROUNDS ?? 5);
/** A small folded profile, as a push carries it. */
const BODY = Buffer.from('main;work;compute 120\nmain;idle 30\n'.repeat(20));

interface Shape {
  name: string;
  keepAlive: boolean;
}

async function load(
  door: RunningDoor,
  ca: string | null,
  shape: Shape,
  authorization?: string,
  seconds = SECONDS,
): Promise<number> {
  const options = { keepAlive: shape.keepAlive, maxSockets: CONCURRENCY };
  const agent = ca ? new https.Agent({ ...options, ca }) : new http.Agent(options);
  const client = ca ? https : http;
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (Date.now() < until) {
      await new Promise<void>((resolve, reject) => {
        const request = client.request(
          {
            host: '127.0.0.1',
            port: door.port,
            path: '/ingest?name=bench.cpu&format=folded',
            method: 'POST',
            agent,
            headers: {
              'content-type': 'text/plain',
              'content-length': BODY.length,
              ...(authorization ? { authorization } : {}),
            },
          },
          (response) => {
            response.resume();
            response.on('end', () =>
              response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`)),
            );
          },
        );
        request.on('error', reject);
        request.end(BODY);
      });
      done += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return done / ((Date.now() - started) / 1000);
}

export async function benchFrontDoor(): Promise<Record<string, string>[]> {
  const hosts = { web: '127.0.0.1', app: '127.0.0.1', db: '127.0.0.1' };
  const { tls } = frontDoorTlsFor(undefined, 'bench', ['127.0.0.1'], new Date());
  const plainCfg = renderHaproxy(renderContext(sampleInput({ hosts }))).files[0]!.content;
  const tlsFiles = renderHaproxy(renderContext(sampleInput({ hosts, tls }))).files;
  const pem = tlsFiles.find((f) => f.path === TLS_CERTIFICATE_PATH)!.content;
  // Ten tenants in the map: a lookup among several, as a shared stack has.
  const tenants = Array.from({ length: 10 }, (_, i) => ({ name: `tenant-${i}`, password: `${'p'.repeat(40)}${i}` }));
  const authFiles = renderHaproxy(renderContext(sampleInput({ hosts, tls, tenants }))).files;
  const map = authFiles.find((f) => f.path === TENANTS_MAP_PATH)!.content;
  const authorization = basicAuthorization(tenants[3]!);
  const rows: Record<string, string>[] = [];
  for (const shape of [
    { name: 'connection kept (agents)', keepAlive: true },
    { name: 'connection per push', keepAlive: false },
  ]) {
    const plain = await startFrontDoor(plainCfg);
    const secure = await startFrontDoor(tlsFiles[0]!.content, { pem, ca: tls.caCertificate });
    const authed = await startFrontDoor(
      authFiles[0]!.content,
      { pem, ca: tls.caCertificate },
      { mapPath: TENANTS_MAP_TARGET, map },
    );
    const rates = { plain: [] as number[], tls: [] as number[], auth: [] as number[] };
    try {
      // A second first, not counted: the client's code is compiled before any door is measured.
      await load(plain, null, shape, undefined, 1);
      // The three doors in turn, ROUNDS times, each rate the median of its rounds: a busy moment of
      // the machine (two cores shared by HAProxy, the stand-in and the client) hits all three.
      for (let round = 0; round < ROUNDS; round += 1) {
        rates.plain.push(await load(plain, null, shape));
        rates.tls.push(await load(secure, tls.caCertificate, shape));
        rates.auth.push(await load(authed, tls.caCertificate, shape, authorization));
      }
    } finally {
      await Promise.all([plain.stop(), secure.stop(), authed.stop()]);
    }
    const [plainRate, tlsRate, authRate] = [median(rates.plain), median(rates.tls), median(rates.auth)];
    rows.push({
      bench: 'front door ingest (HAProxy on loopback)',
      case: `${shape.name}, ${CONCURRENCY} clients, median of ${ROUNDS} x ${SECONDS}s`,
      'plain req/s': plainRate.toFixed(0),
      'TLS req/s': tlsRate.toFixed(0),
      'TLS / plain': `${((tlsRate / plainRate) * 100).toFixed(0)}%`,
      'TLS+auth req/s': authRate.toFixed(0),
      'TLS+auth / plain': `${((authRate / plainRate) * 100).toFixed(0)}%`,
    });
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
