// The cost of TLS on the front door: ingest requests per second through the rendered HAProxy on
// loopback, plain and with the certificate install makes, in front of the same stand-in, at the same
// concurrency. Two client shapes: agents that keep their connection (every SDK does) and a client
// that opens a connection per push (the worst case: a TLS handshake each time).
import http from 'node:http';
import https from 'node:https';
import { renderContext } from '../src/render/context.js';
import { renderHaproxy, TLS_CERTIFICATE_PATH } from '../src/render/haproxy.js';
import { frontDoorTlsFor } from '../src/tls/certificates.js';
import { startFrontDoor, type RunningDoor } from '../test/unit/render/haproxy-run.js';
import { sampleInput } from '../test/unit/render/sample-context.js';

const CONCURRENCY = Number(process.env.BENCH_DOOR_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_DOOR_SECONDS ?? 5);
/** A small folded profile, as a push carries it. */
const BODY = Buffer.from('main;work;compute 120\nmain;idle 30\n'.repeat(20));

interface Shape {
  name: string;
  keepAlive: boolean;
}

async function load(door: RunningDoor, ca: string | null, shape: Shape): Promise<number> {
  const options = { keepAlive: shape.keepAlive, maxSockets: CONCURRENCY };
  const agent = ca ? new https.Agent({ ...options, ca }) : new http.Agent(options);
  const client = ca ? https : http;
  const until = Date.now() + SECONDS * 1000;
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
            headers: { 'content-type': 'text/plain', 'content-length': BODY.length },
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
  const rows: Record<string, string>[] = [];
  for (const shape of [
    { name: 'connection kept (agents)', keepAlive: true },
    { name: 'connection per push', keepAlive: false },
  ]) {
    const plain = await startFrontDoor(plainCfg);
    const plainRate = await load(plain, null, shape).finally(() => plain.stop());
    const secure = await startFrontDoor(tlsFiles[0]!.content, { pem, ca: tls.caCertificate });
    const tlsRate = await load(secure, tls.caCertificate, shape).finally(() => secure.stop());
    rows.push({
      bench: 'front door ingest (HAProxy on loopback)',
      case: `${shape.name}, ${CONCURRENCY} clients, ${SECONDS}s`,
      'plain req/s': plainRate.toFixed(0),
      'TLS req/s': tlsRate.toFixed(0),
      'TLS / plain': `${((tlsRate / plainRate) * 100).toFixed(0)}%`,
    });
  }
  return rows;
}
