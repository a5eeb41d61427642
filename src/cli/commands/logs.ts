// `heal-pyroscope logs`: the containers' logs, each line prefixed with its component.
import { InvalidArgumentError } from 'commander';
import type { LogsFlags } from '../../commands/logs.js';
import { TOPOLOGY_AND_CONNECTION, type OptionSpec } from '../../console/options.js';
import { parseSince, parseTail } from '../../phases/logs/log-request.js';
import { COMPONENTS, type ComponentName } from '../../stack/manifest.js';
import { defineCommand, EXIT_CODES } from './definition.js';

const TAIL: OptionSpec<number> = {
  flags: '-n, --tail <lines>',
  help: 'only the last N lines of each container (0: none, with --follow: only new ones)',
  parse(value) {
    const parsed = parseTail(value);
    if ('problem' in parsed) throw new InvalidArgumentError(`${parsed.problem}.`);
    return parsed.lines;
  },
};

/** Read as seconds since the epoch, from this moment. */
const SINCE: OptionSpec<number> = {
  flags: '--since <duration|time>',
  help: 'only lines from this time on: a duration back from now (10m, 1h30m, 2d) or a time (2026-11-25T14:00:00Z)',
  parse(value) {
    const parsed = parseSince(value, Date.now());
    if ('problem' in parsed) throw new InvalidArgumentError(`${parsed.problem}.`);
    return parsed.seconds;
  },
};

export const logs = defineCommand<[components: ComponentName[]], LogsFlags>({
  name: 'logs',
  description: "print the containers' logs (all components, or those named), each line prefixed with its component",
  arguments: [
    {
      name: '[component...]',
      help: 'components whose logs to print (default: every installed one)',
      choices: COMPONENTS.map((c) => c.name),
    },
  ],
  options: [
    TAIL,
    SINCE,
    { flags: '-f, --follow', help: 'keep printing new lines until the containers stop or Ctrl-C (exit 130)' },
  ],
  settingsOptions: TOPOLOGY_AND_CONNECTION,
  jsonLines: true,
  help: `
Reads each container's log through the host's SSH connection (the Docker Engine API; no docker CLI
is needed on the hosts). Lines are prefixed with their component, and with their host when the
components live on several machines; stdout and stderr lines are both printed, in order per
container. Without --follow the containers are printed one after the other; with --follow their
new lines interleave as they come, until the containers stop or Ctrl-C (exit 130).

--since takes a duration back from now (90s, 10m, 1h30m, 2d) or a time (2026-11-25T14:00:00Z; a
date alone is midnight UTC; a time without a zone is this machine's local time). It is compared with
the hosts' clocks.

With --json every line is one JSON document on its own line (JSON Lines):
  {"schemaVersion":1,"command":"logs","ok":true,"component":"pyroscope","host":"app-01","stream":"stderr","time":"2026-11-25T14:02:11.482913Z","line":"..."}

A component that is not installed (or whose host cannot be reached) is an error naming it (exit 1);
an unknown component name is a usage error (exit 2).

Examples:
  $ heal-pyroscope logs                                  # every component's whole log
  $ heal-pyroscope logs pyroscope --tail 50              # Pyroscope's last 50 lines
  $ heal-pyroscope logs minio grafana --since 10m        # the last ten minutes of two components
  $ heal-pyroscope logs --follow --tail 0                # only new lines, from all, until Ctrl-C
  $ heal-pyroscope logs tempo --since 2026-11-25T14:00:00Z --json | jq -r 'select(.stream == "stderr") | .line'
${EXIT_CODES}`,
  async run([components], flags, { ctx }) {
    const { runLogsCommand } = await import('../../commands/logs.js');
    return runLogsCommand({ ...flags, components }, ctx);
  },
});
