// Moving images without a registry: a local engine (on a machine that can pull) saves them into
// files; a host's engine loads them (Engine.loadImage) from a stream sent over its SSH connection.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ExitCode, HealError } from '../errors.js';
import { DockerEngine } from './docker-engine.js';
import type { Engine } from './engine.js';

/** The engine on a local Docker socket (the operator's machine, for `images save`). */
export async function localEngine(socketPath: string): Promise<Engine> {
  const { default: Dockerode } = await import('dockerode');
  const docker = new Dockerode({ socketPath });
  try {
    await docker.ping();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HealError({
      code: 'docker.local',
      message: `no Docker engine answers on ${socketPath} (${code ?? (error as Error).message})`,
      hint:
        code === 'EACCES'
          ? 'run as root or as a member of the docker group'
          : 'start Docker on this machine, or name its socket with --docker-socket',
      exitCode: ExitCode.failed,
      cause: error,
    });
  }
  return new DockerEngine(docker, `this machine (${socketPath})`);
}

/** `docker save REF > file`. */
export async function saveImageFile(engine: Engine, ref: string, file: string): Promise<void> {
  await pipeline(await engine.saveImage(ref), createWriteStream(file, { mode: 0o600 }));
}
