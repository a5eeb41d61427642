// `heal-pyroscope install`: the whole stack onto the hosts, rolled back on failure.
import type { InstallFlags } from '../../commands/install.js';
import { dryRun, FORCE_UNLOCK, frontDoor, IGNORE_CHECK, TOPOLOGY_AND_CONNECTION, WAIT } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const install = defineCommand<[], InstallFlags>({
  name: 'install',
  description: 'install the stack: guard, preflight, pull pinned images, write configs, start containers, verify',
  options: [
    dryRun(
      'print the plan per host (images to pull, containers to create/recreate/keep, files to write); change nothing',
    ),
    { flags: '--no-rollback', help: 'on failure keep what this run changed, for debugging (clean up with uninstall)' },
    IGNORE_CHECK,
    FORCE_UNLOCK,
    frontDoor(
      'container: run our HAProxy on the web host; external: write a section for the HAProxy already there ' +
        '(checked with haproxy -c on this machine first)',
    ),
    WAIT,
    {
      flags: '--images-from <file>',
      help: 'load missing images from an archive written by `images save` instead of pulling (air-gapped sites)',
    },
  ],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
Idempotent: a second run with the same config changes nothing (every container "unchanged", no
pull). A failure or Ctrl-C rolls back what this run changed; data volumes are never removed.
Credentials are generated on the first run into .heal-pyroscope/ENVIRONMENT.state.json beside the
config file (mode 0600) and reused; they are never printed.

Examples:
  $ heal-pyroscope install
  $ heal-pyroscope install --config staging.yaml --dry-run
  $ heal-pyroscope install --config staging.yaml --yes --json > install.json
  $ heal-pyroscope install --ignore-check clock.skew --wait 300
${EXIT_CODES}`,
  async run(_args, flags, { ctx }) {
    const { runInstallCommand } = await import('../../commands/install.js');
    return runInstallCommand(flags, ctx);
  },
});
