// `heal-pyroscope agents [agent]`: ready-to-paste settings for every agent, filled with the door's URL.
import { InvalidArgumentError } from 'commander';
import { AGENT_NAMES, type AgentName } from '../../agents/agents.js';
import type { AgentsFlags } from '../../commands/agents.js';
import { TOPOLOGY_ONLY, type OptionSpec } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

const SERVICE: OptionSpec<string> = {
  flags: '--service <name>',
  help: 'the application (service) name to put into the settings (default: my-app)',
  parse(value) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value))
      throw new InvalidArgumentError('letters, digits, dots, dashes and underscores, starting with a letter or digit.');
    return value;
  },
};

const TENANT: OptionSpec<string> = {
  flags: '--tenant <name>',
  help: "whose credentials fill the settings (default: the config's first tenant)",
};

const SHOW_SECRETS: OptionSpec<boolean> = {
  flags: '--show-secrets',
  help: "print the tenants' passwords in the settings and in --json (masked otherwise)",
};

export const agents = defineCommand<[agent: AgentName | undefined], Omit<AgentsFlags, 'agent'>>({
  name: 'agents',
  description: "print ready-to-paste settings that send an agent's data to the front door",
  arguments: [{ name: '[agent]', help: 'only this agent', choices: AGENT_NAMES }],
  options: [SERVICE, TENANT, SHOW_SECRETS],
  settingsOptions: TOPOLOGY_ONLY,
  help: `
Prints, for Grafana Alloy, the Pyroscope Java agent, the Go, Python, .NET, Ruby and Node.js SDKs and
the OpenTelemetry SDKs' environment variables, the settings that send profiles and traces to the
front door (https://WEB:9940), with --service as the application name, the door's CA and a
tenant's basic-auth credentials. The password is masked unless --show-secrets asks for it (then
keep the output out of logs). The CA and the passwords come from the state file beside the config,
else from the web host (over SSH). Every option name was read in the agent's own source
(docs/agents.md says where).

Examples:
  $ heal-pyroscope agents nodejs --service checkout
  $ heal-pyroscope agents otel --tenant team-payments --show-secrets
  $ heal-pyroscope agents --json | jq -r .frontDoor.caCertificate > ca.pem
${EXIT_CODES}`,
  async run([agent], flags, { ctx }) {
    const { runAgentsCommand } = await import('../../commands/agents.js');
    return runAgentsCommand({ ...flags, ...(agent ? { agent } : {}) }, ctx);
  },
});
