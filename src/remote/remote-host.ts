// The host handle that checks and phases receive: one target (name, tier-specific Docker socket)
// on a possibly shared SSH session. All I/O to a host goes through these methods.

import type Docker from 'dockerode';
import { HealError, isHealError } from '../errors.js';
import { createDockerClient, inspectDistribution, pullImage } from './docker-client.js';
import type { PullProgress, RegistryAnswer } from './docker-client.js';
import { DOCKER_PROBE_SCRIPT, dockerFailure, parseDockerProbe } from './docker-diagnosis.js';
import type { ExecOptions, ExecResult } from './exec.js';
import type { ProbeResult } from './port-probe.js';
import { probeTcp } from './port-probe.js';
import type { SshSession } from './session.js';
import type { UploadSpec } from './sftp-upload.js';
import { uploadFile } from './sftp-upload.js';
import type { SshTarget } from './target.js';

const DEFAULT_PROBE_TIMEOUT_MS = 3000;

export interface DockerVersion {
  version: string;
  apiVersion: string;
}

export class RemoteHost {
  private dockerClient: Docker | undefined;

  constructor(
    readonly target: SshTarget,
    readonly session: SshSession,
  ) {}

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

  /** dockerode for this host's engine; each API call is a channel on the existing SSH session. */
  get docker(): Docker {
    this.dockerClient ??= createDockerClient(async () => {
      try {
        return await this.session.openStreamLocal(this.target.dockerSocket);
      } catch (error) {
        if (isHealError(error)) throw error;
        throw await this.diagnoseDocker();
      }
    }, this.target.dockerSocket);
    return this.dockerClient;
  }

  /** Engine version, or the HealError that explains why the engine cannot be used. */
  async dockerVersion(): Promise<DockerVersion> {
    try {
      const v = await this.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion };
    } catch (error) {
      if (isHealError(error)) throw error;
      throw new HealError({
        code: 'docker.api',
        message: `Docker engine on ${this.name} answered with an error: ${(error as Error).message}`,
        hint: 'Check the engine log on the host (journalctl -u docker)',
        cause: error,
      });
    }
  }

  pullImage(ref: string, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    return pullImage(this.docker, ref, this.name, onProgress, signal);
  }

  /** Whether the registry this engine would pull `ref` from serves it (mirrors and insecure registries applied). */
  registryAnswer(ref: string, timeoutMs: number): Promise<RegistryAnswer> {
    return inspectDistribution(this.docker, ref, timeoutMs);
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
