// `heal-pyroscope verify`: a profile and a span sent through the front door and read back.
import type { VerifyFlags } from '../../commands/verify.js';
import {
  DEFAULT_DATA_WAIT_SECONDS,
  parseSeconds,
  TOPOLOGY_AND_CONNECTION,
  type OptionSpec,
} from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

/** Not install's --wait: how long data accepted by the front door may take to be queryable. */
const WAIT_FOR_DATA: OptionSpec<number> = {
  flags: '--wait <seconds>',
  help: 'how long accepted data may take to show up',
  parse: parseSeconds,
  default: DEFAULT_DATA_WAIT_SECONDS,
};

export const verify = defineCommand<[], VerifyFlags>({
  name: 'verify',
  description: 'send a synthetic profile and span from each target through the front door and read both back',
  options: [WAIT_FOR_DATA],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
From each target, over its own SSH connection (nothing is installed there): one profile to
Pyroscope's /ingest and one OTLP span over gRPC, through the front door (web:9940), both under the
service name heal-pyroscope-verify; then both read back from Pyroscope's and Tempo's query APIs on
the app host, and Grafana's health check of both data sources. A failure names the target and the
hop (target -> web, web -> app, app -> db). Exit 0 when everything was found; 1 otherwise.

Examples:
  $ heal-pyroscope verify
  $ heal-pyroscope verify --config staging.yaml --json
${EXIT_CODES}`,
  async run(_args, flags, { ctx }) {
    const { runVerifyCommand } = await import('../../commands/verify.js');
    return runVerifyCommand(flags, ctx);
  },
});
