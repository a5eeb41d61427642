// Connects the topology's machines through the transport: one SSH session per machine, whose host
// handle is the HostSession checks use. The connection options are flags shared by the commands.
import type { Machine, HostSession } from '../checks/check.js';
import type { HostSpec } from '../config/topology.js';
import { HealError } from '../errors.js';
import type { Fleet, TargetSpec } from '../remote/index.js';
import { promptInteraction } from './interaction.js';

export interface ConnectFlags {
  acceptNewHostKeys?: boolean;
  concurrency?: number;
}

export function targetSpecOf(name: string, spec: HostSpec): TargetSpec {
  return {
    name,
    host: spec.host,
    port: spec.ssh.port,
    user: spec.ssh.user,
    ...(spec.ssh.identityFile ? { identityFiles: [spec.ssh.identityFile] } : {}),
    // undefined: the agent at SSH_AUTH_SOCK; false: never an agent.
    ...(spec.ssh.agent ? {} : { agent: false as const }),
    knownHostsFile: spec.ssh.knownHostsFile,
    ...(spec.ssh.jumpHost ? { jump: spec.ssh.jumpHost } : {}),
    dockerSocket: spec.dockerSocket,
  };
}

export interface Connection {
  sessions: Map<Machine, HostSession | HealError>;
  fleet: Fleet | undefined;
  close(): Promise<void>;
}

export async function connectTopology(machines: readonly Machine[], flags: ConnectFlags, interactive: boolean): Promise<Connection> {
  const remote = await import('../remote/index.js');
  const ctx = remote.loadResolveContext();
  const sessions = new Map<Machine, HostSession | HealError>();
  const targets = [];
  const byName = new Map<string, Machine>();
  for (const machine of machines) {
    try {
      targets.push(remote.resolveTarget(targetSpecOf(machine.name, machine.hosts[0]!), ctx));
      byName.set(machine.name, machine);
    } catch (error) {
      sessions.set(machine, error as HealError);
    }
  }
  const fleet = await remote.connectAll(targets, {
    interaction: interactive ? promptInteraction() : remote.nonInteractive,
    acceptNewHostKeys: flags.acceptNewHostKeys ?? false,
    concurrency: flags.concurrency ?? 8,
  });
  for (const [name, machine] of byName) {
    const host = fleet.hosts.get(name);
    sessions.set(machine, host ?? (fleet.failures.get(name) ?? new HealError({ code: 'ssh.connect', message: `not connected to ${name}` })));
  }
  return { sessions, fleet, close: () => fleet.close() };
}
