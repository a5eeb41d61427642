// A container that cannot bind its published port (taken between preflight and the start) is told
// as what it is: which port, on which host, held by what; not as the engine's raw 500.
import { parseSs } from '../../hosts/facts.js';
import { HealError, isHealError } from '../../core/errors.js';
import type { Host } from '../../hosts/host.js';
import type { ContainerSpec } from '../../plan/container-spec.js';

/**
 * The host port in the engine's bind failure, or null when the error is not one. Docker says
 * `Bind for 0.0.0.0:4040 failed: port is already allocated` (another container) or
 * `listen tcp4 0.0.0.0:4040: bind: address already in use` (another process).
 */
export function bindFailurePort(message: string): number | null {
  const m =
    /Bind for \S*:(\d+) failed: port is already allocated/i.exec(message) ??
    /listen tcp[46]? \S*:(\d+): bind: address already in use/i.exec(message);
  return m ? Number(m[1]) : null;
}

/** Who listens on `port` on the host, as `ss` tells it, or null when nothing can be told. */
async function holderOf(host: Host, port: number): Promise<string | null> {
  const result = await host.remote.root
    .exec(['ss', '-Hltnp', `sport = :${port}`], { timeoutMs: 10_000 })
    .catch(() => null);
  const listener =
    result && result.code === 0 ? parseSs(result.stdout.split('\n'))?.find((l) => l.port === port) : undefined;
  return listener ? (listener.process ?? `a process ss cannot name (${listener.address}:${port})`) : null;
}

/** Starts the container; a port bind failure becomes `install.port-taken` naming the port, the host and its holder. */
export async function startContainer(host: Host, spec: ContainerSpec, nameOrId: string): Promise<void> {
  try {
    await host.remote.engine.startContainer(nameOrId);
  } catch (error) {
    const port = isHealError(error) ? bindFailurePort(error.message) : null;
    if (port === null) throw error;
    const holder = await holderOf(host, port);
    throw new HealError({
      code: 'install.port-taken',
      message: `port ${port} on ${host.name} is taken${holder ? ` by ${holder}` : ''}, so ${spec.name} cannot start`,
      hint:
        `free port ${port} on ${host.name} (stop what holds it), then run install again; ` +
        `\`heal-pyroscope preflight\` checks every port`,
      cause: error,
    });
  }
}
