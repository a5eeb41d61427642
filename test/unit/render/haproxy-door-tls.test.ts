// The rendered front door with TLS, run for real (the machine's HAProxy on loopback): it serves the
// certificate install made, offers h2 and http/1.1 by ALPN so gRPC and HTTP agents both connect,
// and a client that does not trust the stack's CA, or that speaks plain HTTP, gets nowhere.

import { connect as tlsConnect } from 'node:tls';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import { renderHaproxy, TLS_CERTIFICATE_PATH } from '../../../src/render/haproxy.js';
import { frontDoorTlsFor, issueCa } from '../../../src/tls/certificates.js';
import { haproxyAvailability, startFrontDoor, type RunningDoor } from './haproxy-run.js';
import { sampleInput } from './sample-context.js';

const { tls } = frontDoorTlsFor(undefined, 'lab', ['127.0.0.1', 'localhost'], new Date());
const files = renderHaproxy(
  renderContext(sampleInput({ hosts: { web: '127.0.0.1', app: '127.0.0.1', db: '127.0.0.1' }, tls })),
).files;
const cfg = files[0]!.content;
const pem = files.find((f) => f.path === TLS_CERTIFICATE_PATH)!.content;
const availability = await haproxyAvailability();

/** The protocol the door picks from what a client offers, and the error when the handshake fails. */
function handshake(port: number, ca: string, alpn: string[]): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, ALPNProtocols: alpn }, () => {
      resolve(String(socket.alpnProtocol));
      socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
  });
}

describe.skipIf(availability.skip)('front door with TLS, running (HAProxy on loopback)', () => {
  let door: RunningDoor;
  beforeAll(async () => {
    door = await startFrontDoor(cfg, { pem, ca: tls.caCertificate });
  }, 20_000);
  afterAll(async () => {
    await door?.stop();
  });

  it('answers its health check and forwards an HTTP push over TLS', async () => {
    expect((await door.get('/healthz')).status).toBe(200);
    expect((await door.get('/ingest?name=app.cpu')).reached, door.output()).toBe('pyroscope');
  });

  it('forwards gRPC over TLS with ALPN h2 to the OTLP receiver', async () => {
    expect(await door.grpc('/opentelemetry.proto.collector.trace.v1.TraceService/Export')).toMatchObject({
      status: 200,
      reached: 'tempo_otlp',
    });
  });

  it('offers h2 and http/1.1 by ALPN, h2 first', async () => {
    expect(await handshake(door.port, tls.caCertificate, ['h2', 'http/1.1'])).toBe('h2');
    expect(await handshake(door.port, tls.caCertificate, ['http/1.1'])).toBe('http/1.1');
  });

  it('is refused by a client that trusts another CA, and refuses plain HTTP', async () => {
    const other = issueCa('other', new Date());
    expect(await handshake(door.port, other.caCertificate, ['h2'])).toMatch(/^error (UNABLE_TO_VERIFY|SELF_SIGNED)/);
    const plain = await new Promise<string>((resolve) => {
      const request = http.get({ host: '127.0.0.1', port: door.port, path: '/healthz', agent: false }, (r) =>
        resolve(`HTTP ${r.statusCode}`),
      );
      request.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    });
    expect(plain).not.toBe('HTTP 200');
  });

  it('serves a certificate a client dialling another name refuses', async () => {
    const dialled = (servername: string) =>
      new Promise<string>((resolve) => {
        const socket = tlsConnect(
          { host: '127.0.0.1', port: door.port, ca: tls.caCertificate, servername, ALPNProtocols: ['h2'] },
          () => {
            resolve('accepted');
            socket.end();
          },
        );
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
      });
    expect(await dialled('localhost')).toBe('accepted');
    expect(await dialled('web-09')).toBe('error ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
