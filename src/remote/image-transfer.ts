// Moving images without a registry: a local engine (on a machine that can pull) saves them, and a
// host's engine loads them from a stream sent through that host's existing SSH connection.
import type Docker from 'dockerode';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ExitCode, HealError } from '../errors.js';

/** dockerode on a local Docker socket (the operator's machine, for `images save`). */
export async function localDocker(socketPath: string): Promise<Docker> {
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
  return docker;
}

/** `docker save REF > file`. */
export async function saveImage(docker: Docker, ref: string, file: string): Promise<void> {
  const stream = await docker.getImage(ref).get();
  await pipeline(stream, createWriteStream(file, { mode: 0o600 }));
}

/** `docker load < stream` on an engine; the engine reports failures inside its 200 response. */
export async function loadImage(docker: Docker, tar: NodeJS.ReadableStream, what: string, where: string): Promise<void> {
  const failure = (detail: string, cause?: unknown) =>
    new HealError({ code: 'docker.load', message: `loading ${what} on ${where} failed: ${detail}`, hint: 'check free disk on the host and that the archive is complete', cause });
  let response: NodeJS.ReadableStream;
  try {
    response = await docker.loadImage(tar as never, { quiet: true });
  } catch (error) {
    throw failure((error as Error).message, error);
  }
  let body = '';
  for await (const chunk of response) body += String(chunk);
  const reported = body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as { error?: string; errorDetail?: { message?: string } };
      } catch {
        return {};
      }
    })
    .find((m) => m.error !== undefined);
  if (reported) throw failure(reported.errorDetail?.message ?? reported.error ?? 'unknown error');
}
