// Moving images without a registry: a local engine (on a machine that can pull) saves them into
// files; a host's engine loads them (Engine.loadImage) from a stream sent over its SSH connection.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ExitCode, HealError } from '../core/errors.js';
import { DockerEngine } from './docker-engine.js';
import type { Engine } from './engine.js';

/** Where the operator's own engine listens: a unix socket, or plain TCP (`DOCKER_HOST=tcp://host:port`). */
export type LocalDocker = { socketPath: string } | { host: string; port: number };

export function describeLocalDocker(at: LocalDocker): string {
  return 'socketPath' in at ? at.socketPath : `tcp://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
}

/** The engine the operator's machine runs (for `images save`), on its socket or over TCP. */
export async function localEngine(at: LocalDocker): Promise<Engine> {
  const { default: Dockerode } = await import('dockerode');
  const where = describeLocalDocker(at);
  // Every connection field is set (undefined included): docker-modem would otherwise fill the gaps
  // from DOCKER_HOST and DOCKER_CERT_PATH, and a tcp:// DOCKER_HOST would override --docker-socket.
  const options = {
    socketPath: 'socketPath' in at ? at.socketPath : undefined,
    host: 'host' in at ? at.host : undefined,
    port: 'port' in at ? at.port : undefined,
    protocol: 'http',
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
  } as const;
  let docker: InstanceType<typeof Dockerode>;
  try {
    docker = new Dockerode(options);
    await docker.ping();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HealError({
      code: 'docker.local',
      message: `no Docker engine answers on ${where} (${code ?? (error as Error).message})`,
      hint:
        code === 'EACCES'
          ? 'run as root or as a member of the docker group'
          : 'socketPath' in at
            ? 'start Docker on this machine, or name its socket with --docker-socket'
            : `check that a Docker engine listens on ${where} (DOCKER_HOST), or name a local socket with ` +
              `--docker-socket`,
      exitCode: ExitCode.failed,
      cause: error,
    });
  }
  return new DockerEngine(docker, `this machine (${where})`);
}

/** `docker save REF > file`. */
export async function saveImageFile(engine: Engine, ref: string, file: string): Promise<void> {
  await pipeline(await engine.saveImage(ref), createWriteStream(file, { mode: 0o600 }));
}
