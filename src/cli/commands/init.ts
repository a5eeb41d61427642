// `heal-pyroscope init`: writes a commented config file, asking for what the flags leave open.
import type { InitFlags } from '../../commands/init.js';
import { TOPOLOGY_ONLY } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const init = defineCommand<[], InitFlags>({
  name: 'init',
  description:
    'write a commented config file (default ./heal-pyroscope.yaml), asking on a terminal for what flags leave open',
  options: [{ flags: '--force', help: 'overwrite an existing config file' }],
  settingsOptions: TOPOLOGY_ONLY,
  help: `
Examples:
  $ heal-pyroscope init
  $ heal-pyroscope init --config staging.yaml --environment staging --target 10.1.0.5 \\
      --web web-01 --app app-01 --db db-01 --ssh-user deploy --identity-file ~/.ssh/id_ed25519
${EXIT_CODES}`,
  async run(_args, flags, { ctx }) {
    const { runInit } = await import('../../commands/init.js');
    return runInit(flags, ctx);
  },
});
