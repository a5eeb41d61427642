// One unary gRPC call to host:port as a host makes it (HTTP/2: over TLS with ALPN h2, or cleartext
// with prior knowledge): the TCP leg is a direct-tcpip channel on that host's SSH session, and Node's
// HTTP/2 client speaks over it, so an agent's traffic is reproduced from the agent's host without
// installing anything there.

import http2 from 'node:http2';
import { HealError } from '../core/errors.js';
import type { SshSession } from './session.js';
import { tlsOver, type TlsTrust } from './tls-channel.js';

export interface GrpcCallResult {
  /** HTTP status of the answer (200 for any gRPC answer; a proxy's own refusal otherwise). */
  httpStatus: number;
  /** grpc-status from the trailers (or headers, for a trailers-only answer); null when absent. */
  grpcStatus: number | null;
  grpcMessage: string;
}

/** The message framed as gRPC does: a 0 flag (uncompressed), a 4-byte big-endian length, the bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

export interface GrpcCallOptions {
  /** Default 5 s. */
  timeoutMs?: number;
  /** HTTPS, trusting this CA only; cleartext HTTP/2 without it. */
  tls?: TlsTrust;
  /** Request metadata (HTTP/2 headers, e.g. `authorization`); never logged. */
  metadata?: Record<string, string>;
}

/** POSTs one framed message to `path` (/package.Service/Method) at host:port from `session`'s host. */
export async function grpcCall(
  session: SshSession,
  host: string,
  port: number,
  path: string,
  message: Uint8Array,
  options: GrpcCallOptions = {},
): Promise<GrpcCallResult> {
  const { timeoutMs = 5000, tls, metadata = {} } = options;
  const deadline = Date.now() + timeoutMs;
  const timeout = (): HealError =>
    new HealError({
      code: 'remote.grpc-timeout',
      message: `No answer from ${host}:${port}${path} (gRPC) on ${session.target.name} within ${timeoutMs} ms`,
    });
  let connectTimer: NodeJS.Timeout | undefined;
  const channel = await Promise.race([
    session.forwardOut(host, port),
    new Promise<never>((_, reject) => {
      connectTimer = setTimeout(
        () =>
          reject(
            new HealError({
              code: 'remote.connect-timeout',
              message: `${session.target.name} could not connect to ${host}:${port} within ${timeoutMs} ms`,
            }),
          ),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(connectTimer));
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = tls
    ? http2.connect(`https://${authority}`, { createConnection: () => tlsOver(channel, host, tls, ['h2']) })
    : http2.connect(`http://${authority}`, { createConnection: () => channel });
  return new Promise<GrpcCallResult>((resolve, reject) => {
    let settled = false;
    // The call ends once, with an error or with its result (a plain object, never an Error).
    const finish = (outcome: Error | GrpcCallResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.close();
      client.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish(timeout()), Math.max(1, deadline - Date.now()));
    client.on('error', (error) => finish(error));
    const stream = client.request({
      ...Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v])),
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let httpStatus = 0;
    let grpcStatus: number | null = null;
    let grpcMessage = '';
    const take = (headers: http2.IncomingHttpHeaders): void => {
      if (headers['grpc-status'] !== undefined) grpcStatus = Number(headers['grpc-status']);
      if (typeof headers['grpc-message'] === 'string') grpcMessage = decodeURIComponent(headers['grpc-message']);
    };
    stream.on('response', (headers) => {
      httpStatus = Number(headers[':status']);
      take(headers);
    });
    stream.on('trailers', take);
    stream.on('data', () => {});
    stream.on('end', () => finish({ httpStatus, grpcStatus, grpcMessage }));
    stream.on('error', (error) => finish(error));
    stream.end(grpcFrame(message));
  });
}
