// A dockerode client for one host whose every HTTP request rides the host's SSH session (see
// docker-agent.ts), plus the two calls whose answers come in unusual shapes (a pull's errors inside
// its 200 stream, a registry's words passed on by distribution inspect), for docker-engine.ts.

import Docker from 'dockerode';
import { HealError, isHealError } from '../core/errors.js';
import type { OpenChannel } from './docker-agent.js';
import { StreamLocalAgent } from './docker-agent.js';
import type { PullProgress, RegistryAnswer } from './engine.js';

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

/**
 * Pulls `ref` on the host and waits until the engine reports the end of the stream. When `signal`
 * fires, the request's channel is closed, which makes the engine cancel the pull (Ctrl-C).
 */
export async function pullImage(
  docker: Docker,
  ref: string,
  where: string,
  onProgress?: (event: PullProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const failure = (detail: string, cause?: unknown): HealError =>
    new HealError({
      code: 'docker.pull',
      message: `Pulling ${ref} on ${where} failed: ${detail}`,
      hint:
        'Check that the host can reach the registry (or its mirror) and that the tag exists; set a ' +
        'private registry prefix if the host has no internet',
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

/** What a registry error from the engine means for the operator (the engine passes the registry's words on). */
export function classifyRegistryError(
  status: number | undefined,
  message: string,
): Exclude<RegistryAnswer['state'], 'found'> {
  if (
    /\b(?:no such host|connection refused|i\/o timeout|no route to host|network is unreachable|dial tcp|tls: |timeout exceeded|deadline exceeded|server misbehaving|connection reset|EOF$)/i.test(
      message,
    )
  )
    return 'unreachable';
  if (status === 401 || status === 403 || /unauthorized|denied|authentication required|forbidden/i.test(message))
    return 'denied';
  if (status === 404 || /manifest unknown|not found|name unknown|does not exist|no such/i.test(message))
    return 'not-found';
  return 'error';
}

/**
 * Asks the host's engine whether the registry serves `ref` (the Engine API's distribution inspect):
 * the engine applies its own mirrors and insecure-registry settings, exactly as a pull would.
 */
export async function inspectDistribution(docker: Docker, ref: string, timeoutMs: number): Promise<RegistryAnswer> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const data = await new Promise<{ Descriptor?: { digest?: string } }>((resolve, reject) => {
      docker.modem.dial(
        {
          path: `/distribution/${ref}/json`,
          method: 'GET',
          statusCodes: { 200: true, 401: 'unauthorized', 403: 'denied', 404: 'not found', 500: 'server error' },
          abortSignal: abort.signal,
          options: {},
        },
        (error: unknown, body: unknown) =>
          error ? reject(error) : resolve(body as { Descriptor?: { digest?: string } }),
      );
    });
    return { state: 'found', digest: data.Descriptor?.digest ?? '' };
  } catch (error) {
    if (isHealError(error)) throw error;
    if (abort.signal.aborted)
      return { state: 'unreachable', detail: `no answer within ${Math.round(timeoutMs / 1000)} s` };
    const e = error as { statusCode?: number; json?: { message?: string }; message?: string };
    const detail = (e.json?.message ?? e.message ?? String(error)).trim();
    return { state: classifyRegistryError(e.statusCode, detail), detail };
  } finally {
    clearTimeout(timer);
  }
}

/** `docker load < stream` on an engine; the engine reports failures inside its 200 response. */
export async function loadImage(
  docker: Docker,
  tar: NodeJS.ReadableStream,
  what: string,
  where: string,
): Promise<void> {
  const failure = (detail: string, cause?: unknown) =>
    new HealError({
      code: 'docker.load',
      message: `loading ${what} on ${where} failed: ${detail}`,
      hint: 'check free disk on the host and that the archive is complete',
      cause,
    });
  let response: NodeJS.ReadableStream;
  try {
    response = await docker.loadImage(tar as never, { quiet: true });
  } catch (error) {
    if (isHealError(error)) throw error;
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
