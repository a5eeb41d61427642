// `heal-pyroscope restore FILE`: install with a backup's data and credentials.
import type { RestoreFlags } from '../../commands/restore.js';
import { FORCE_UNLOCK, IGNORE_CHECK, TOPOLOGY_AND_CONNECTION, WAIT } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const restore = defineCommand<[file: string], RestoreFlags>({
  name: 'restore',
  description:
    'install the stack with the data and credentials of a backup: volumes filled before the containers start',
  arguments: [{ name: '<file>', help: 'an archive written by `heal-pyroscope backup`' }],
  options: [
    {
      flags: '--force',
      help:
        "replace a volume's data (gone for good, even if the restore then fails) and a local state with " +
        'other credentials',
    },
    IGNORE_CHECK,
    FORCE_UNLOCK,
    WAIT,
  ],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
Onto the same or other hosts of the same shape, after uninstall --purge or on fresh hosts. FILE
is read end to end first: a member whose size or sha256 does not match the manifest refuses it
before any host is contacted. Then as install does (production guard, lock, preflight, images,
configuration), each volume is filled through the engine before its container starts, with the
credentials of the backup, and the stack is verified. A failure rolls back what the restore made.
It refuses a heal-pyroscope container that exists, and a volume that holds data unless --force.

Examples:
  $ heal-pyroscope uninstall --purge --yes && heal-pyroscope restore staging.backup.tar
  $ heal-pyroscope restore staging.backup.tar --config new-hosts.yaml --json > restore.json
${EXIT_CODES}`,
  async run([file], flags, { ctx }) {
    const { runRestoreCommand } = await import('../../commands/restore.js');
    return runRestoreCommand(file, flags, ctx);
  },
});
