// A dockerode client for one host whose every HTTP request rides the host's SSH session (see
// docker-agent.ts), plus image pulls with errors that name the host and image.

import Docker from 'dockerode';
import { HealError, isHealError } from '../errors.js';
import type { OpenChannel } from './docker-agent.js';
import { StreamLocalAgent } from './docker-agent.js';

export function createDockerClient(open: OpenChannel, socketPath: string): Docker {
  // Every field docker-modem would otherwise take from DOCKER_HOST / DOCKER_TLS_* is set here, so
  // the operator's local Docker environment can never redirect calls meant for the remote host.
  const options = {
    socketPath,
    host: undefined,
    port: undefined,
    protocol: 'http',
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
    agent: new StreamLocalAgent(open),
  };
  return new Docker(options as Docker.DockerOptions);
}

export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
}

/**
 * Pulls `ref` on the host and waits until the engine reports the end of the stream. When `signal`
 * fires, the request's channel is closed, which makes the engine cancel the pull (Ctrl-C).
 */
export async function pullImage(docker: Docker, ref: string, where: string, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<void> {
  const failure = (detail: string, cause?: unknown): HealError =>
    new HealError({
      code: 'docker.pull',
      message: `Pulling ${ref} on ${where} failed: ${detail}`,
      hint: 'Check that the host can reach the registry (or its mirror) and that the tag exists; set a private registry prefix if the host has no internet',
      cause,
    });
  const cancelled = (): HealError => failure('cancelled (interrupted)');
  if (signal?.aborted) throw cancelled();
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref);
  } catch (error) {
    if (isHealError(error)) throw error;
    throw failure((error as Error).message, error);
  }
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      reject(cancelled());
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        // The engine reports pull failures inside the 200 response stream, not as an HTTP status.
        const reported = events.find((e) => e.error !== undefined);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(isHealError(error) ? error : failure(error.message, error));
        else if (reported) reject(failure(reported.errorDetail?.message ?? reported.error ?? 'unknown error'));
        else resolve();
      },
      onProgress,
    );
  });
}
