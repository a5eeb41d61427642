// What checks and phases may do on one connected host: run a command, write a file, probe, GET or
// call (gRPC) an address as the host sees it, and use its Docker engine. RemoteHost implements it over the
// host's SSH session; unit tests implement it in memory.

import type { Duplex } from 'node:stream';
import type { Engine } from './engine.js';
import type { ExecOptions, ExecResult } from './exec.js';
import type { GrpcCallOptions, GrpcCallResult } from './grpc-call.js';
import type { HttpGetOptions, HttpGetResult } from './http-get.js';
import type { ProbeResult } from './port-probe.js';
import type { UploadSpec } from './sftp-upload.js';
import type { RootAccess } from './root-access.js';

export interface HostHandle {
  /** Display name, used in every message about the host. */
  readonly name: string;
  /** The host's Docker engine, reached over the same connection. */
  readonly engine: Engine;
  /** Runs argv (quoted once) as the SSH user; a non-zero exit is returned, not thrown. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Writes a file atomically with its mode (and owner). */
  upload(spec: UploadSpec): Promise<void>;
  /** Runs commands and writes files as root: over SSH for a root user, else through the engine. */
  readonly root: RootAccess;
  /** Whether this host can open a TCP connection to host:port. */
  probeTcp(host: string, port: number, timeoutMs?: number): Promise<ProbeResult>;
  /** An HTTP request to host:port as this host makes it; rejects when nothing answers. */
  httpGet(host: string, port: number, path: string, options?: HttpGetOptions): Promise<HttpGetResult>;
  /** A TCP stream to host:port as this host opens it (`open`: a local port forwarded through it). */
  tunnel(host: string, port: number): Promise<Duplex>;
  /** One unary gRPC call (h2c, or TLS trusting `tls.ca`) to host:port as this host makes it; rejects when nothing answers. */
  grpcCall(
    host: string,
    port: number,
    path: string,
    message: Uint8Array,
    options?: GrpcCallOptions,
  ): Promise<GrpcCallResult>;
}
