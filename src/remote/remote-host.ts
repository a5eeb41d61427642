// The host handle that checks and phases receive: one target (name, tier-specific Docker socket)
// on a possibly shared SSH session. All I/O to a host goes through these methods.

import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { isHealError, type HealError } from '../core/errors.js';
import { createDockerClient } from './docker-client.js';
import { DockerEngine } from './docker-engine.js';
import { DOCKER_PROBE_SCRIPT, dockerFailure, parseDockerProbe } from './docker-diagnosis.js';
import type { Engine } from './engine.js';
import type { ExecOptions, ExecResult } from './exec.js';
import type { HostHandle } from './host-handle.js';
import { grpcCall, type GrpcCallOptions, type GrpcCallResult } from './grpc-call.js';
import { httpGet, type HttpGetOptions, type HttpGetResult } from './http-get.js';
import type { ProbeResult } from './port-probe.js';
import { probeTcp } from './port-probe.js';
import type { SshSession } from './session.js';
import type { UploadSpec } from './sftp-upload.js';
import { uploadFile } from './sftp-upload.js';
import type { SshTarget } from './target.js';
import { EngineRoot, HostRoot, sshRoot, type RootHelper } from './root-access.js';

const DEFAULT_PROBE_TIMEOUT_MS = 3000;

export class RemoteHost implements HostHandle {
  private hostEngine: Engine | undefined;

  /** Root on this host: over SSH for a root user, else through the engine's helper container. */
  readonly root: HostRoot;

  constructor(
    readonly target: SshTarget,
    readonly session: SshSession,
    rootHelper?: RootHelper,
  ) {
    this.root = new HostRoot(
      sshRoot(this),
      () => this.session.exec(['id', '-u'], { timeoutMs: 15_000 }),
      rootHelper ? () => new EngineRoot(this.engine, rootHelper.image, this.name) : undefined,
    );
  }

  get name(): string {
    return this.target.name;
  }

  /** Runs argv (quoted by shellQuote) as the SSH user; a non-zero exit is returned, not thrown. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return this.session.exec(argv, options);
  }

  async upload(spec: UploadSpec): Promise<void> {
    const sftp = await this.session.sftp();
    await uploadFile(sftp, (argv) => this.session.exec(argv), spec, this.name);
  }

  /** Whether this host can open a TCP connection to host:port (e.g. web -> app:4040). */
  probeTcp(host: string, port: number, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<ProbeResult> {
    return probeTcp(
      (h, p) => this.session.forwardOut(h, p),
      (argv, ms) => this.session.exec(argv, { timeoutMs: ms }),
      host,
      port,
      timeoutMs,
    );
  }

  /** GET http://host:port/path as this host makes it, through a channel on its session. */
  httpGet(host: string, port: number, path: string, options?: HttpGetOptions): Promise<HttpGetResult> {
    return httpGet(this.session, host, port, path, options);
  }

  /** A TCP stream to host:port as this host opens it: a direct-tcpip channel of its session. */
  tunnel(host: string, port: number): Promise<Duplex> {
    return this.session.forwardOut(host, port);
  }

  /** A unary gRPC call to host:port as this host makes it, over a channel on its session. */
  grpcCall(
    host: string,
    port: number,
    path: string,
    message: Uint8Array,
    options?: GrpcCallOptions,
  ): Promise<GrpcCallResult> {
    return grpcCall(this.session, host, port, path, message, options);
  }

  /** This host's engine; each API call is a channel on the existing SSH session. */
  get engine(): Engine {
    this.hostEngine ??= new DockerEngine(this.dockerClient(), this.name);
    return this.hostEngine;
  }

  private dockerClient(): Docker {
    return createDockerClient(async () => {
      try {
        return await this.session.openStreamLocal(this.target.dockerSocket);
      } catch (error) {
        if (isHealError(error)) throw error;
        throw await this.diagnoseDocker();
      }
    }, this.target.dockerSocket);
  }

  /** Why the Docker socket cannot be opened: one remote probe, interpreted by docker-diagnosis.ts. */
  async diagnoseDocker(): Promise<HealError> {
    const socket = this.target.dockerSocket;
    try {
      const result = await this.session.exec(['sh', '-c', DOCKER_PROBE_SCRIPT, 'sh', socket], { timeoutMs: 15_000 });
      return dockerFailure(parseDockerProbe(result.stdout), this.name, socket);
    } catch (error) {
      if (isHealError(error) && error.code === 'ssh.closed') return error;
      return dockerFailure(parseDockerProbe(''), this.name, socket);
    }
  }
}
