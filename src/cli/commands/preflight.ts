// `heal-pyroscope preflight`: checks every host and changes nothing.
import type { PreflightFlags } from '../../commands/preflight.js';
import { TOPOLOGY_AND_CONNECTION } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const preflight = defineCommand<[], PreflightFlags>({
  name: 'preflight',
  description: 'check every host before installing: SSH, Docker, resources, ports, network flows, production guard',
  options: [{ flags: '--junit <file>', help: 'also write the results as JUnit XML (one suite per host)' }],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
Changes nothing on any host (a flow to a port where nothing listens yet is tested with a listener
that exits by itself within seconds). Runs the production guard first.

Examples:
  $ heal-pyroscope preflight
  $ heal-pyroscope preflight --config staging.yaml --json > preflight.json
  $ heal-pyroscope preflight --yes --accept-new-host-keys --junit preflight.xml
${EXIT_CODES}`,
  async run(_args, flags, { ctx }) {
    const { runPreflightCommand } = await import('../../commands/preflight.js');
    return runPreflightCommand(flags, ctx);
  },
});
