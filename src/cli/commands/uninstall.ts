// `heal-pyroscope uninstall`: removes what install created, keeping data unless --purge.
import type { UninstallFlags } from '../../commands/uninstall.js';
import { dryRun, FORCE_UNLOCK, TOPOLOGY_AND_CONNECTION } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const uninstall = defineCommand<[], UninstallFlags>({
  name: 'uninstall',
  description: 'remove exactly what install created; data volumes are kept',
  options: [
    dryRun('print what would be removed; change nothing'),
    {
      flags: '--purge',
      help:
        'also remove the data volumes, the images installs pulled that no other container uses, and the ' +
        'local state (asks to type the environment name, or --yes)',
    },
    FORCE_UNLOCK,
  ],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
Removes, on every server host, the containers, network and configuration files that carry
heal-pyroscope's labels or live in /opt/heal-pyroscope; never anything else. Data volumes and the
local state (credentials) are kept unless --purge. A host that cannot be reached is reported (exit
1) and the others are still cleaned; run it again later to finish.

Examples:
  $ heal-pyroscope uninstall --config staging.yaml
  $ heal-pyroscope uninstall --dry-run
  $ heal-pyroscope uninstall --purge --yes
${EXIT_CODES}`,
  async run(_args, flags, { ctx }) {
    const { runUninstallCommand } = await import('../../commands/uninstall.js');
    return runUninstallCommand(flags, ctx);
  },
});
