// `credentials [grafana|minio]`: the logins install generated, from the local state file (or, when
// there is none, from the installed stack's hosts), printed only to a terminal or as --json (asked
// for): never into a pipe or a log by accident.
import { ExitCode, HealError } from '../core/errors.js';
import { loadState, type Secrets } from '../state/state-file.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand, type Outcome, type PhaseRun, type Settings } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import { connectPhaseFor, type Connector } from '../phases/shared/connect.js';
import { fromHostsNote, hostStatePhase, type FoundState, type HostStateContext } from '../phases/shared/host-state.js';
import { serverInventory } from '../phases/shared/reachable.js';
import type { TopologyFlags } from '../console/topology-options.js';
import type { OpenService } from '../phases/open/open.js';

export interface CredentialsFlags extends TopologyFlags, ConnectFlags {
  service?: OpenService;
}

export interface Login {
  service: OpenService;
  user: string;
  password: string;
  /** How to reach it. */
  open: string;
}

export function logins(secrets: Secrets, only?: OpenService): Login[] {
  const all: Login[] = [
    {
      service: 'grafana',
      user: secrets.grafanaAdminUser,
      password: secrets.grafanaAdminPassword,
      open: 'heal-pyroscope open grafana',
    },
    {
      service: 'minio',
      user: secrets.minioAccessKey,
      password: secrets.minioSecretKey,
      open: 'heal-pyroscope open minio',
    },
  ];
  return all.filter((l) => !only || l.service === only);
}

export async function runCredentialsCommand(
  flags: CredentialsFlags,
  ctx: GatherContext,
  stdout: { isTTY?: boolean },
): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(flags, ctx, async ({ statePath, topology, connect }) => {
    if (!out.json && stdout.isTTY !== true) {
      throw new HealError({
        code: 'credentials.not-a-terminal',
        message: 'credentials are printed only to a terminal, and stdout is not one: nothing was printed',
        hint: 'run it in a terminal, or ask for them with --json (and keep that output out of logs)',
        exitCode: ExitCode.usage,
      });
    }
    const state = await loadState(statePath);
    if (!state) return fromHosts(flags, out, { statePath, topology, connect });
    return { refused: told(out, logins(state.secrets, flags.service)) };
  });
}

/** The logins as the command tells them: the document, and a terminal's lines. */
function told(out: Output, found: Login[], note?: string): Outcome<{ logins: Login[] }> {
  return {
    document: { logins: found },
    say: () => {
      if (note) out.say(out.color.dim(note));
      for (const l of found) {
        out.say(`${l.service === 'grafana' ? 'Grafana' : 'MinIO console'} (${l.open})`);
        out.say(`  user      ${l.user}`);
        out.say(`  password  ${l.password}`);
      }
    },
  };
}

/** No local state: the credentials the installed stack runs with, read from its app and db hosts. */
function fromHosts(
  flags: CredentialsFlags,
  out: Output,
  settings: Pick<Settings, 'statePath' | 'topology' | 'connect'>,
): PhaseRun<HostStateContext & { connect: Connector }, { logins: Login[] }> {
  return readFromHosts(settings, (found) =>
    found ? told(out, logins(found.state.secrets, flags.service), fromHostsNote(settings.statePath)) : {},
  );
}

/**
 * A command's run when there is no local state: connect to the servers, read the credentials from
 * the installed stack (hostStatePhase), then `finish` with what was found.
 */
export function readFromHosts<D extends object>(
  settings: Pick<Settings, 'statePath' | 'topology' | 'connect'>,
  finish: (found: FoundState | undefined) => Outcome<D>,
): PhaseRun<HostStateContext & { connect: Connector }, D> {
  const context: HostStateContext & { connect: Connector } = { ...settings, hosts: serverInventory(settings.topology) };
  return {
    phases: [connectPhaseFor('reported', 'Connect to the server hosts'), hostStatePhase],
    context,
    interrupt: 'none',
    progress: false,
    finish: () => finish(context.found),
  };
}
