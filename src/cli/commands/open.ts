// `heal-pyroscope open grafana|minio`: a local port forwarded through the SSH session, until Ctrl-C.
import { InvalidArgumentError } from 'commander';
import type { OpenFlags } from '../../commands/open.js';
import { TOPOLOGY_AND_CONNECTION, type OptionSpec } from '../../console/options.js';
import type { OpenService } from '../../phases/open/open.js';
import { defineCommand, EXIT_CODES } from './definition.js';

const PORT: OptionSpec<number> = {
  flags: '--port <port>',
  help: "local port to listen on, on 127.0.0.1 (default: the service's own, 3000 or 9001)",
  parse(value) {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('a port is 1 to 65535.');
    return n;
  },
};

export const open = defineCommand<[service: OpenService], Omit<OpenFlags, 'service'>>({
  name: 'open',
  description: 'forward a local port to Grafana or the MinIO console through the SSH session, until Ctrl-C',
  arguments: [{ name: '<service>', help: 'what to open', choices: ['grafana', 'minio'] }],
  options: [PORT],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  jsonLines: true,
  help: `
Listens on 127.0.0.1 on this machine and carries each connection through the SSH session of the
host that runs the service (Grafana on the app host, the MinIO console on the db host): nothing is
opened on the hosts' networks for it. Prints the URL, then runs until Ctrl-C (exit 130). The login
is printed by \`heal-pyroscope credentials grafana\` (or minio).

With --json it prints one document once the port listens:
  {"schemaVersion":1,"command":"open","ok":true,"service":"grafana","url":"http://127.0.0.1:3000","machine":"app-01","remote":"10.0.0.12:3000"}

Examples:
  $ heal-pyroscope open grafana                 # then browse http://127.0.0.1:3000
  $ heal-pyroscope open minio --port 19001
${EXIT_CODES}`,
  async run([service], flags, { ctx }) {
    const { runOpenCommand } = await import('../../commands/open.js');
    return runOpenCommand({ ...flags, service }, ctx);
  },
});
