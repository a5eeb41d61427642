// Renders a commented heal-pyroscope.yaml from answers (used by `init` and by "save these answers").
// The output is parsed back by the tests, so every key written here is one the schema accepts.
import { stringify } from 'yaml';
import { DEFAULT_GUARD_RULES } from '../guard/rules.js';
import { DEFAULTS, type TopologyInput } from './resolve.js';

const q = (value: unknown): string => stringify(value, { lineWidth: 0 }).trimEnd();

function optional(key: string, value: unknown, example: string, indent = '  '): string {
  return value === undefined ? `${indent}# ${key}: ${example}` : `${indent}${key}: ${q(value)}`;
}

export function renderConfigFile(input: TopologyInput): string {
  const targets = input.targets && input.targets.length > 0 ? input.targets : undefined;
  const lines = [
    '# heal-pyroscope topology. Reference: README.md ("Config file"), or `heal-pyroscope init --help`.',
    '# Flags given on the command line override the values in this file.',
    '',
    '# The declared environment. Names that look like production are refused by the production guard.',
    input.environment === undefined ? '# environment: staging' : `environment: ${q(input.environment)}`,
    '',
    '# SSH defaults for every host; a host entry may override user, port, identityFile and jumpHost.',
    'ssh:',
    optional('user', input.sshUser, 'deploy'),
    optional('port', input.sshPort, String(DEFAULTS.sshPort)),
    optional('identityFile', input.identityFile, '~/.ssh/id_ed25519'),
    optional('agent', input.agent, 'true   # use the agent at SSH_AUTH_SOCK'),
    optional('knownHostsFile', input.knownHostsFile, DEFAULTS.knownHostsFile),
    optional('jumpHost', input.jumpHost, 'deploy@bastion.internal:22'),
    '',
    '# One web, app and db host (they may be the same machine) and any number of targets.',
    '# A host is a name or an address, or a mapping: { host, name, user, port, identityFile, jumpHost, dockerSocket }.',
    'hosts:',
    '  # Hosts running the profiled applications; they send to web:9940.',
    targets === undefined ? '  # targets: [app-server-01.internal]' : `  targets:\n${targets.map((t) => `    - ${q(t)}`).join('\n')}`,
    '  # HAProxy front door on port 9940.',
    optional('web', input.web, 'web-01.internal'),
    '  # Pyroscope (4040), Tempo (4317, 14250, 3200) and Grafana.',
    optional('app', input.app, 'app-01.internal'),
    '  # MinIO (9000 S3 API, 9001 console).',
    optional('db', input.db, 'db-01.internal'),
    '',
    'docker:',
    `  # socket: ${DEFAULTS.dockerSocket}   # the engine socket on each host`,
    '',
    '# Pull the pinned images through a private registry or mirror instead of Docker Hub.',
    'registry:',
    optional('prefix', input.registryPrefix, 'registry.internal:5000/mirror'),
    '',
    'grafana:',
    optional('port', input.grafanaPort, String(DEFAULTS.grafanaPort)),
    '',
    '# Production guard: any match on any host aborts before anything changes (exit code 3).',
    '# A list given here replaces that list of defaults; fix a false positive by editing it.',
    'guard:',
    ...Object.entries(DEFAULT_GUARD_RULES).map(([key, value]) => `  # ${key}: ${JSON.stringify(value)}`),
    '',
  ];
  return lines.join('\n');
}
