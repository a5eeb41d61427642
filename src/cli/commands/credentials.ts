// `heal-pyroscope credentials [grafana|minio]`: the generated logins, on a terminal or as --json.
import type { CredentialsFlags } from '../../commands/credentials.js';
import { TOPOLOGY_ONLY } from '../../console/options.js';
import type { OpenService } from '../../phases/open/open.js';
import { defineCommand, EXIT_CODES } from './definition.js';

export const credentials = defineCommand<[service: OpenService | undefined], Omit<CredentialsFlags, 'service'>>({
  name: 'credentials',
  description: 'print the Grafana and MinIO logins install generated (to a terminal, or as --json)',
  arguments: [{ name: '[service]', help: 'only this login', choices: ['grafana', 'minio'] }],
  settingsOptions: TOPOLOGY_ONLY,
  help: `
Reads the state file beside the config (.heal-pyroscope/ENVIRONMENT.state.json, mode 0600) and
prints the logins: Grafana's admin user and password, and MinIO's root access and secret key (for
its console). Nothing is contacted. The secrets go to a terminal only: with stdout a pipe or a file
it refuses (exit 2) unless --json asks for them.

Examples:
  $ heal-pyroscope credentials grafana
  $ heal-pyroscope credentials --json | jq -r '.logins[] | select(.service == "minio") | .password'
${EXIT_CODES}`,
  async run([service], flags, { ctx, stdout }) {
    const { runCredentialsCommand } = await import('../../commands/credentials.js');
    return runCredentialsCommand({ ...flags, ...(service ? { service } : {}) }, ctx, stdout as { isTTY?: boolean });
  },
});
