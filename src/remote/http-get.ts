// A plain HTTP request to host:port as seen from a host, carried by a direct-tcpip channel on that
// host's existing SSH session: health endpoints are checked from where the traffic really flows,
// without curl on the host and without a credential on any command line (headers stay in the channel).

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { HealError } from '../core/errors.js';
import { asHttpSocket } from './docker-agent.js';
import type { SshSession } from './session.js';
import { tlsOver, type TlsTrust } from './tls-channel.js';

export interface HttpGetOptions {
  /** Extra request headers (e.g. Authorization); never logged. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  method?: 'GET' | 'HEAD' | 'POST';
  /** Request body (POST), sent with its Content-Length. */
  body?: string | Buffer;
  /** HTTPS: the server's certificate must chain to this CA and name `host`. */
  tls?: TlsTrust;
}

export interface HttpGetResult {
  status: number;
  body: string;
}

/** GET (or HEAD, POST) http(s)://host:port/path from `session`'s host; rejects on connection failure or timeout. */
export function httpGet(
  session: SshSession,
  host: string,
  port: number,
  path: string,
  options: HttpGetOptions = {},
): Promise<HttpGetResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<HttpGetResult>((resolve, reject) => {
    let settled = false;
    // The call ends once, with an error or with its result (a plain object, never an Error).
    const finish = (outcome: Error | HttpGetResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    // Whether the TCP leg was made: a timeout before it is a blocked flow, after it a silent server.
    let connected = false;
    const timer = setTimeout(() => {
      request.destroy();
      finish(
        connected
          ? new HealError({
              code: 'remote.http-timeout',
              message: `No answer from ${options.tls ? 'https' : 'http'}://${host}:${port}${path} on ${session.target.name} within ${timeoutMs} ms`,
            })
          : new HealError({
              code: 'remote.connect-timeout',
              message: `${session.target.name} could not connect to ${host}:${port} within ${timeoutMs} ms`,
            }),
      );
    }, timeoutMs);
    const request = http.request(
      {
        method: options.method ?? 'GET',
        host,
        port,
        path,
        headers: { Connection: 'close', ...options.headers },
        // No `agent` (not even `false`, which makes a fresh Agent that dials net.connect from this
        // machine and ignores createConnection): the request must ride the host's channel.
        createConnection: (_opts: unknown, callback: (error: Error | null, socket: Duplex) => void) => {
          session.forwardOut(host, port).then(
            (channel) => {
              connected = true;
              const socket = asHttpSocket(channel);
              callback(null, options.tls ? tlsOver(socket, host, options.tls, ['http/1.1']) : socket);
            },
            (error: Error) => callback(error, undefined as unknown as Duplex),
          );
          return undefined;
        },
      } as http.RequestOptions,
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          finish({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (error) => finish(error));
      },
    );
    request.on('error', (error) => finish(error));
    request.end(options.body);
  });
}
