// The settings table: every setting once, with its config key, flag, value kind (the validation
// flags, prompts and the schema share), default, help, what is missing when it is absent, its
// prompt and its example (the fields: setting.ts). The commander options, the missing-value
// errors, the prompts, `init`'s file and docs/configuration.md's flag table and example file are
// generated from it. Free of zod and commander, so `--help` can read it cheaply.
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { judgeValue, PRODUCTION_WORD_RULE } from '../guard/evaluate.js';
import { DEFAULT_GUARD_RULES, type GuardRules } from '../guard/rules.js';
import { ANY_IPV4 } from '../stack/flow-rules.js';
import { component, COMPONENTS, defaultMemoryLimitMiB, port } from '../stack/manifest.js';
import { repeatedHostsProblem } from './repeated-hosts.js';
import { list, one, perComponent, type AnySetting, type Setting } from './setting.js';
import * as V from './values.js';

const frontDoor = port('haproxy.front-door');
/** The tenant of a stack whose config names none. */
export const DEFAULT_TENANT = 'default';
const minio = component('minio');

export const SETTINGS = {
  environment: one({
    key: 'environment',
    value: V.ENVIRONMENT_NAME,
    flag: '--environment NAME',
    help: 'declared environment; production-like names are refused',
    example: 'staging',
    required: { what: 'the environment name (e.g. staging)' },
    prompt: {
      message: 'Environment name (e.g. staging):',
      empty: 'enter the environment name, e.g. staging',
      extra: (v, ctx) => {
        const hit = judgeValue(v, ctx.rules.environmentPatterns);
        if (hit === undefined) return null;
        const why = hit.pattern === PRODUCTION_WORD_RULE ? `the word "${hit.word}"` : `pattern /${hit.pattern}/i`;
        return `"${v}" looks like production (${why}): heal-pyroscope never installs there`;
      },
    },
  }),
  targets: list({
    key: 'hosts.targets',
    value: V.HOST,
    flag: '--target HOST',
    help: 'hosts running profiled apps',
    example: '[10.1.0.5, { host: svc-02.internal, name: svc-02, user: ops }]',
    required: { what: 'at least one target host' },
    prompt: {
      message: 'Target hosts (profiled apps), comma-separated:',
      empty: 'enter at least one host (separate several with commas or spaces)',
      extra: (v) => repeatedHostsProblem(v),
    },
  }),
  web: one({
    key: 'hosts.web',
    value: V.HOST,
    flag: '--web HOST',
    help: `the host of the HAProxy front door (${frontDoor})`,
    example: 'web-01.internal',
    required: { what: 'the web host (HAProxy front door)' },
    prompt: { message: `Web host (HAProxy front door, port ${frontDoor}):`, empty: 'enter the web host' },
  }),
  app: one({
    key: 'hosts.app',
    value: V.HOST,
    flag: '--app HOST',
    help: 'the host of Pyroscope, Tempo and Grafana',
    example: 'app-01.internal',
    required: { what: 'the app host (Pyroscope, Tempo, Grafana)' },
    prompt: { message: 'App host (Pyroscope, Tempo, Grafana):', empty: 'enter the app host', sameAs: 'web' },
  }),
  db: one({
    key: 'hosts.db',
    value: V.HOST,
    flag: '--db HOST',
    help: 'the host of MinIO',
    example: '{ host: db-01.internal, dockerSocket: /var/run/docker.sock }',
    required: { what: 'the db host (MinIO)' },
    prompt: { message: 'DB host (MinIO):', empty: 'enter the db host', sameAs: 'app' },
  }),
  sshUser: one({
    key: 'ssh.user',
    value: V.USER,
    flag: '--ssh-user USER',
    help: 'SSH user on every host; overrides `User` in ssh_config',
    example: 'deploy',
    required: { what: 'the SSH user (or User in ssh_config for every host)' },
    prompt: { message: 'SSH user:', empty: 'enter the SSH user', suggest: () => userInfo().username },
  }),
  sshPort: one({
    key: 'ssh.port',
    value: V.PORT,
    flag: '--ssh-port PORT',
    help: 'SSH port; overrides `Port` in ssh_config',
    defaultText: "the host's `Port` in ssh_config, else 22",
    example: '22',
    prompt: { message: 'SSH port:', suggest: () => '22' },
  }),
  identityFile: one({
    key: 'ssh.identityFile',
    value: V.LOCAL_PATH,
    flag: '--identity-file PATH',
    help: "private key, tried before the host's `IdentityFile` in ssh_config (and on the jump host)",
    example: '~/.ssh/id_ed25519',
    required: {
      id: 'sshAuth',
      what: 'an SSH key file or the SSH agent (or IdentityFile in ssh_config for every host)',
      or: 'agent',
      choose: 'How should heal-pyroscope authenticate?',
    },
    prompt: {
      choice: 'a private key file',
      message: 'Private key file:',
      empty: 'enter the path of a private key file',
      suggest: () =>
        ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).find((f) => existsSync(f)),
      extra: (v) => (existsSync(v.replace(/^~(?=\/)/, homedir())) ? null : `no file at ${v}`),
    },
  }),
  agent: one({
    key: 'ssh.agent',
    value: V.SWITCH,
    flag: '--ssh-agent',
    help: 'use the agent at `SSH_AUTH_SOCK`',
    defaultText: 'when no key is given and an agent runs',
    example: 'true',
    prompt: {
      choice: 'the SSH agent (SSH_AUTH_SOCK)',
      unavailable: (env) => (env.SSH_AUTH_SOCK ? null : '(no agent running)'),
    },
  }),
  knownHostsFile: one({
    key: 'ssh.knownHostsFile',
    value: V.LOCAL_PATH,
    flag: '--known-hosts PATH',
    help: 'host keys',
    default: '~/.ssh/known_hosts',
    example: '~/.ssh/known_hosts',
  }),
  sshConfigFile: one({
    key: 'ssh.configFile',
    value: V.LOCAL_PATH,
    flag: '--ssh-config PATH',
    help:
      'OpenSSH client config read for each host (`HostName`, `Port`, `User`, `IdentityFile`, ' +
      '`ProxyJump`, ...), as `ssh -F PATH`',
    defaultText: '`~/.ssh/config`, then `/etc/ssh/ssh_config`',
    example: '~/.ssh/config',
  }),
  jumpHost: one({
    key: 'ssh.jumpHost',
    value: V.JUMP_HOST,
    flag: '--jump-host [USER@]HOST[:PORT]',
    help:
      'bastion in front of every host, overriding `ProxyJump`; in the file also `{ host, user, port, ' +
      'identityFile }`',
    example: 'ops@bastion.internal:22',
    prompt: { message: 'Jump host ([user@]host[:port]; empty for none):' },
  }),
  dockerSocket: one({
    key: 'docker.socket',
    value: V.ABSOLUTE_PATH,
    help: 'absolute path of the Docker engine socket on every host',
    default: '/var/run/docker.sock',
    example: '/var/run/docker.sock',
  }),
  registryPrefix: one({
    key: 'registry.prefix',
    value: V.REGISTRY_PREFIX,
    flag: '--registry-prefix PREFIX',
    help:
      'pull the pinned images under a private registry (`PREFIX/minio/minio:TAG`, ' +
      '`PREFIX/grafana/pyroscope:TAG`, ...)',
    example: 'registry.internal:5000/mirror',
    prompt: { message: 'Registry prefix to pull the pinned images through (empty for their own registries):' },
  }),
  images: perComponent({
    key: 'images.COMPONENT',
    value: V.PINNED_IMAGE,
    flag: '--image COMPONENT=IMAGE',
    help:
      'run IMAGE for one component instead of its pin (a tag or digest is required, never `latest`); ' +
      '`registry.prefix` still applies to the others',
    example: `{ minio: registry.internal:5000/${minio.repository}:${minio.tag} }`,
    prompt: { message: 'Image overrides (COMPONENT=IMAGE, comma-separated; empty for the pins):' },
  }),
  logMaxSize: one({
    key: 'containers.logs.maxSize',
    value: V.LOG_SIZE,
    help: 'json-file log size before rotation',
    default: '10m',
    example: '10m',
  }),
  logMaxFiles: one({
    key: 'containers.logs.maxFiles',
    value: V.LOG_FILES,
    help: 'log files kept per container',
    default: 3,
    example: '3',
  }),
  memoryLimits: perComponent({
    key: 'containers.memoryLimits.COMPONENT',
    value: V.MEMORY_LIMIT,
    help: 'memory limit per component: `512m`, `2g`, or `none`',
    default: Object.fromEntries(COMPONENTS.map((c) => [c.name, `${defaultMemoryLimitMiB(c)}m`])),
    defaultText: 'twice its minimum',
    example: '{ pyroscope: 4g }',
  }),
  retentionProfiles: one({
    key: 'retention.profiles',
    value: V.RETENTION,
    help: 'how long Pyroscope keeps profiles before its compactor deletes them (`Nh`, `Nd`, `Nw`)',
    default: '30d',
    example: '30d',
  }),
  retentionTraces: one({
    key: 'retention.traces',
    value: V.RETENTION,
    help: 'how long Tempo keeps traces before its compactor deletes them (`Nh`, `Nd`, `Nw`)',
    default: '14d',
    example: '14d',
  }),
  restrictFlows: one({
    key: 'flows.restrict',
    value: V.SWITCH,
    help:
      'let each published port answer only the sources of its flow (targets -> web 9940; web -> app ' +
      "4040, 4317, 14250, 3200; app -> db 9000), with iptables rules in Docker's `DOCKER-USER` chain, " +
      'ports published on IPv4 only; `false` leaves them open to every address, IPv6 too',
    default: true,
    example: 'true',
  }),
  frontDoorAllowFrom: list({
    key: 'frontDoor.allowFrom',
    value: V.IPV4_SOURCE,
    help:
      `IPv4 addresses or networks that may reach the front door (${frontDoor}) besides the targets, whose ` +
      `addresses are asked of them; \`${ANY_IPV4}\` lets every address in (with \`flows.restrict\`)`,
    default: [],
    defaultText: 'none: the targets only',
    example: '["10.20.0.0/16"]',
  }),
  frontDoorTls: one({
    key: 'frontDoor.tls',
    value: V.FRONT_DOOR_TLS,
    help:
      `TLS on the front door (${frontDoor}): \`generated\` makes a CA of this stack and a certificate for the web ` +
      'host it signs (kept on the hosts and in the state file; `agents` prints the CA); `files` serves your ' +
      'certificate (`frontDoor.certificate`, `.key`, `.ca`); `off` takes plain HTTP and cleartext HTTP/2',
    default: 'generated',
    // The example file shows every key, so it shows the mode that takes the three files below.
    example: 'files',
  }),
  frontDoorNames: list({
    key: 'frontDoor.names',
    value: V.HOST,
    help:
      'more names agents dial the door by (a DNS alias, a virtual IP), put into the generated certificate ' +
      'beside `hosts.web` and its address; with `files`, the certificate must carry them too',
    default: [],
    defaultText: 'none',
    example: '[profiling.internal]',
  }),
  frontDoorCertificate: one({
    key: 'frontDoor.certificate',
    value: V.LOCAL_PATH,
    help:
      'with `frontDoor.tls: files`: PEM file of the door certificate, then any intermediates; it must name ' +
      'the web host as `hosts.web` writes it and its address',
    example: 'tls/door.crt',
  }),
  frontDoorKey: one({
    key: 'frontDoor.key',
    value: V.LOCAL_PATH,
    help: "with `frontDoor.tls: files`: PEM file of the certificate's private key, readable by you alone (0600)",
    example: 'tls/door.key',
  }),
  frontDoorCa: one({
    key: 'frontDoor.ca',
    value: V.LOCAL_PATH,
    help: 'with `frontDoor.tls: files`: PEM file of the CA agents trust, which issued the certificate',
    example: 'tls/ca.crt',
  }),
  frontDoorAuth: one({
    key: 'frontDoor.auth',
    value: V.FRONT_DOOR_AUTH,
    help:
      `who may send through the front door (${frontDoor}): \`tenants\` asks every push for the basic-auth ` +
      'credentials of one of `tenants` and files its data under that tenant (Pyroscope and Tempo run ' +
      "multi-tenant); `none` takes anyone's data under one anonymous tenant",
    default: 'tenants',
    example: 'tenants',
  }),
  frontDoorOtlpHttp: one({
    key: 'frontDoor.otlpHttp',
    value: V.SWITCH,
    help:
      `OTLP over HTTP through the front door: \`/v1/traces\` (protobuf and JSON, the OpenTelemetry SDKs' ` +
      "default protocol) forwarded to Tempo's OTLP HTTP receiver on the app host's 4318, a flow web -> app " +
      '4318 more (preflight checks it, the flow rules allow it from the web host only); off by default: ' +
      'the firewall plan has no 4318',
    default: false,
    example: 'true',
  }),
  tenants: list({
    key: 'tenants',
    value: V.TENANT_NAME,
    help:
      'the tenants agents send as, with `frontDoor.auth: tenants`: each gets generated credentials ' +
      '(`agents --show-secrets` prints them) and its own Grafana data sources; one tenant never reads ' +
      "another's data",
    default: [DEFAULT_TENANT],
    defaultText: `one tenant named \`${DEFAULT_TENANT}\``,
    example: '[default, team-payments]',
  }),
  consolesPublished: one({
    key: 'consoles.published',
    value: V.SWITCH,
    help:
      "publish Grafana's port and the MinIO console (9001) on every address of their hosts; `false` binds " +
      "them to the host's loopback, reached through SSH with `heal-pyroscope open grafana|minio`; " +
      'true when `consoles.allowFrom` names sources',
    default: false,
    example: 'true',
  }),
  consolesAllowFrom: list({
    key: 'consoles.allowFrom',
    value: V.IPV4_SOURCE,
    help:
      'IPv4 addresses or networks that may reach the published Grafana and MinIO console (with ' +
      '`flows.restrict`); naming any publishes them; none lets every address in',
    default: [],
    defaultText: 'none',
    example: '["10.20.5.0/24"]',
  }),
  grafanaPort: one({
    key: 'grafana.port',
    value: V.PORT,
    flag: '--grafana-port PORT',
    help: 'Grafana port on the app host',
    default: port('grafana.http'),
    example: String(port('grafana.http')),
  }),
  // The guard's default lists are its own (src/guard/rules.ts); the table points at them. The word
  // rule (src/guard/words.ts) is not a list: it always applies, and the patterns add to it.
  guardHostnamePatterns: guardList(
    'hostnamePatterns',
    V.REGULAR_EXPRESSION,
    'patterns of production hostnames and FQDNs (case-insensitive), added to the production words',
    { example: '["^pci-"]', defaultText: 'none' },
  ),
  guardEnvironmentPatterns: guardList(
    'environmentPatterns',
    V.REGULAR_EXPRESSION,
    'patterns of production environments (declared, variables, labels), added to the production words',
    { example: '["^release$"]', defaultText: 'none' },
  ),
  guardEnvironmentVariables: guardList(
    'environmentVariables',
    V.VARIABLE_NAME,
    'variables read on top of those read by name (`*ENV`, `*ENVIRONMENT`, `*STAGE`, `DEPLOY*`; not the build ' +
      'modes `NODE_ENV`, `RAILS_ENV`, `RACK_ENV`, `BABEL_ENV`)',
    { example: '["OWNER_TIER"]', defaultText: 'none' },
  ),
  guardMarkerFiles: guardList(
    'markerFiles',
    V.ABSOLUTE_PATH,
    'files that mark a production host, added to the built-in ones',
  ),
  guardDockerLabels: guardList(
    'dockerLabels',
    V.NON_EMPTY,
    'engine label keys (or exact `key=value`) read on top of the keys containing `env`, `stage` or `tier`',
    { example: '["owner", "pci=true"]', defaultText: 'none' },
  ),
};

/** The settings `init` asks for only when the operator wants to customise them, and that question. */
export const CUSTOMISE = {
  question: 'Customise SSH port, jump host or images?',
  settings: ['sshPort', 'jumpHost', 'registryPrefix', 'images'] as const,
};

function guardList<K extends keyof GuardRules>(
  rule: K,
  value: V.ValueKind<string>,
  help: string,
  shown: { example?: string; defaultText?: string } = {},
): Setting<string[], string> {
  const defaults = DEFAULT_GUARD_RULES[rule];
  return list({
    key: `guard.${rule}`,
    value,
    help,
    default: defaults,
    defaultText: shown.defaultText,
    example: shown.example ?? `[${defaults.map((d) => JSON.stringify(d)).join(', ')}]`,
  });
}

/** Comments on the sections of the config file, above their first key. */
export const SECTIONS: Record<string, string[]> = {
  ssh: [
    'SSH defaults for every host; a host entry may override user, port, identityFile and jumpHost.',
    'A host may be an ssh_config alias: its HostName, Port, User, IdentityFile and ProxyJump apply where ' +
      'these leave them unset.',
    'Relative paths are relative to this file.',
  ],
  hosts: [
    'One web, app and db host (they may be the same machine) and any number of targets.',
    'A host is a name or an address, or a mapping: { host, name, user, port, identityFile, jumpHost, dockerSocket }',
    '(name: how output shows it; the others override ssh.* and docker.socket for that host).',
  ],
  registry: ['Pull the pinned images through a private registry or mirror instead of their own registries.'],
  containers: ['Bounds on every container: rotated json-file logs and a memory limit.'],
  guard: [
    'Production guard: any match on any host, or anything it cannot read, aborts install and restore before',
    'anything changes (exit code 3). Every name and value is judged by the production words (prod, prd,',
    'production, live). Everything here adds to the built-in rules and cannot take one away.',
  ],
};

export type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
type InputOf<S> = S extends Setting<infer T, infer _L> ? T : never;

/** Values given on the command line or at a prompt, by setting name (prompts fill what flags leave open). */
export type TopologyInput = { [K in SettingName]?: InputOf<Settings[K]> };

export function settingEntries(): Array<[SettingName, AnySetting]> {
  return Object.entries(SETTINGS) as Array<[SettingName, AnySetting]>;
}

export function setting(name: string): AnySetting {
  const found = (SETTINGS as Record<string, AnySetting>)[name];
  if (!found) throw new Error(`no setting ${name}`);
  return found;
}

export interface MissingValue {
  /** The requirement's id: a setting's name, or `sshAuth` for a key file or the agent. */
  key: string;
  configKey: string;
  flag: string;
  what: string;
}

export interface RequiredSetting extends MissingValue {
  /** The settings any one of which satisfies it, in the order a prompt offers them. */
  settings: SettingName[];
  choose?: string;
}

/** Every requirement, in the order the table lists them (and prompts ask). */
export const REQUIRED: readonly RequiredSetting[] = settingEntries().flatMap(([name, s]) => {
  if (!s.required) return [];
  const settings = [name, ...(s.required.or ? [s.required.or as SettingName] : [])];
  return [
    {
      key: s.required.id ?? name,
      configKey: settings.map((n) => setting(n).key).join(' or '),
      flag: settings.map((n) => setting(n).flag).join(' or '),
      what: s.required.what,
      settings,
      ...(s.required.choose ? { choose: s.required.choose } : {}),
    },
  ];
});
