// `heal-pyroscope backup FILE`: MinIO's and Grafana's volumes and the credentials in one archive.
import type { BackupFlags } from '../../commands/backup.js';
import { FORCE_UNLOCK, TOPOLOGY_AND_CONNECTION } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const backup = defineCommand<[file: string], BackupFlags>({
  name: 'backup',
  description: 'write the data volumes of MinIO and Grafana and the credentials into one archive (mode 0600)',
  arguments: [{ name: '<file>', help: 'the archive to write (a plain tar)' }],
  options: [{ flags: '--force', help: 'replace FILE when it exists' }, FORCE_UNLOCK],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  help: `
Reads MinIO's /data and Grafana's /var/lib/grafana through each host's Docker engine (nothing is
installed on the hosts) and the local state (the generated credentials). Each container is paused
only while its own volume is read, so the copy is one moment of it; the summary says for how long.
The archive is written to a temp file beside FILE with mode 0600 (it holds the credentials) and
takes FILE's name only when complete; its manifest lists each member with its size and sha256.
Pyroscope's and Tempo's volumes are not included: their profiles and traces are in MinIO.

Examples:
  $ heal-pyroscope backup staging.backup.tar --config staging.yaml
  $ heal-pyroscope backup nightly.tar --force --json > backup.json   # replace last night's file
${EXIT_CODES}`,
  async run([file], flags, { ctx }) {
    const { runBackupCommand } = await import('../../commands/backup.js');
    return runBackupCommand(file, flags, ctx);
  },
});
