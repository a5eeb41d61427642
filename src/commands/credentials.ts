// `credentials [grafana|minio]`: the logins install generated, from the local state file, printed
// only to a terminal or as --json (asked for): never into a pipe or a log by accident.
import { ExitCode, HealError } from '../core/errors.js';
import { loadState, type Secrets } from '../state/state-file.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
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
  return runPhaseCommand(flags, ctx, async ({ statePath }) => {
    if (!out.json && stdout.isTTY !== true) {
      throw new HealError({
        code: 'credentials.not-a-terminal',
        message: 'credentials are printed only to a terminal, and stdout is not one: nothing was printed',
        hint: 'run it in a terminal, or ask for them with --json (and keep that output out of logs)',
        exitCode: ExitCode.usage,
      });
    }
    const state = await loadState(statePath);
    if (!state) {
      throw new HealError({
        code: 'credentials.no-state',
        message: `no state file at ${statePath}: the credentials are kept there by the install`,
        hint: 'run this beside the config the stack was installed with, or copy its .heal-pyroscope/ directory here',
      });
    }
    const found = logins(state.secrets, flags.service);
    return {
      refused: {
        document: { logins: found },
        say: () => {
          for (const l of found) {
            out.say(`${l.service === 'grafana' ? 'Grafana' : 'MinIO console'} (${l.open})`);
            out.say(`  user      ${l.user}`);
            out.say(`  password  ${l.password}`);
          }
        },
      },
    };
  });
}
