// `heal-pyroscope status`: what runs where, and how it differs from the config.
import type { StatusFlags } from '../../commands/status.js';
import { frontDoor, TOPOLOGY_AND_CONNECTION } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const status = defineCommand<[], StatusFlags>({
  name: 'status',
  description: 'show per host and component: running, healthy, image, ports, drift from the config',
  options: [frontDoor('as given to install: external expects no HAProxy container')],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
Exit 0 when every component is running, healthy and as configured; 1 otherwise.

Examples:
  $ heal-pyroscope status
  $ heal-pyroscope status --config staging.yaml --json
${EXIT_CODES}`,
  async run(_args, flags, { ctx }) {
    const { runStatusCommand } = await import('../../commands/status.js');
    return runStatusCommand(flags, ctx);
  },
});
