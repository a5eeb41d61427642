// The resolved topology: every host of every tier with its complete SSH settings, after merging
// flags over the config file over prompts over defaults. Phases and checks only ever see this.
import type { ComponentName, Tier } from '../stack/manifest.js';
import type { GuardRules } from '../guard/rules.js';
import type { FrontDoorAuthMode, FrontDoorTlsMode } from './values.js';

/** A bastion: `[user@]host[:port]` (ProxyJump syntax), or the long form with its own key. */
export type JumpHost = string | { host: string; user?: string; port?: number; identityFile?: string };

/** What the operator set; ssh_config and OpenSSH's defaults fill the rest when connecting. */
export interface SshOptions {
  /** Absent: ssh_config's User (resolveTopology requires one of them). */
  user?: string;
  /** Absent: ssh_config's Port, else 22. */
  port?: number;
  /** Local path of a private key; absent means agent (and ~/.ssh/config) only. */
  identityFile?: string;
  /** Use the SSH agent at SSH_AUTH_SOCK. */
  agent: boolean;
  knownHostsFile: string;
  /** A bastion, when the host is not reachable directly (absent: ssh_config's ProxyJump, if any). */
  jumpHost?: JumpHost;
  /** The ssh_config file named by ssh.configFile; absent: ~/.ssh/config and the system file. */
  configFile?: string;
}

export interface HostSpec {
  tier: Tier;
  /** Display name: the configured `name`, else the address. */
  name: string;
  /** Address or host name: what other hosts and the containers reach it by (an alias's HostName). */
  host: string;
  /** The ssh_config alias it was named by, when that alias has a HostName: SSH connects by the alias. */
  sshAlias?: string;
  ssh: SshOptions;
  dockerSocket: string;
}

export interface Topology {
  environment: string;
  targets: HostSpec[];
  web: HostSpec;
  app: HostSpec;
  db: HostSpec;
  /** The engine socket of a host whose entry names none (docker.socket, or the default). */
  dockerSocket: string;
  registryPrefix?: string;
  /** The image each component runs: the pin (under `registryPrefix`), or the operator's override. */
  images: Record<ComponentName, string>;
  containers: ContainerLimits;
  grafanaPort: number;
  /** How long the stack keeps data, in hours (config `retention`). */
  retention: Retention;
  /** Published ports of app and db answer only their flow's source (config `flows.restrict`). */
  restrictFlows: boolean;
  /** Who may reach the front door besides the targets (config `frontDoor.allowFrom`): IPv4 sources. */
  frontDoorAllowFrom: string[];
  /** TLS on the front door (config `frontDoor.tls`). */
  frontDoorTls: FrontDoorTlsMode;
  /** Tempo's OTLP HTTP receiver behind the door's /v1/traces, and the flow web -> app 4318 (config `frontDoor.otlpHttp`). */
  otlpHttp: boolean;
  /** Who may send through the door (config `frontDoor.auth`). */
  frontDoorAuth: FrontDoorAuthMode;
  /** The tenants agents send as, with `frontDoorAuth: tenants` (config `tenants`); empty with `none`. */
  tenants: string[];
  /** More names agents dial the door by (config `frontDoor.names`). */
  frontDoorNames: string[];
  /** With `frontDoor.tls: files`: the operator's PEM files, absolute (config `frontDoor.certificate`, `.key`, `.ca`). */
  frontDoorTlsFiles?: { certificate: string; key: string; ca: string };
  /** Grafana and the MinIO console on every address (config `consoles.published`); else loopback. */
  consolesPublished: boolean;
  /** Who may reach the published consoles (config `consoles.allowFrom`); none: every address. */
  consolesAllowFrom: string[];
  guard: GuardRules;
}

/** Retention in whole hours: Pyroscope's and Tempo's duration parsers both read `720h`. */
export interface Retention {
  profilesHours: number;
  tracesHours: number;
}

/** Bounds on every container: rotated json-file logs, and a memory limit per component. */
export interface ContainerLimits {
  logMaxSize: string;
  logMaxFiles: number;
  /** MiB; null for no limit. */
  memoryLimitMiB: Record<ComponentName, number | null>;
}

/** Every host once per tier it serves (web, app and db may be one machine). */
export function hostsOf(topology: Topology): HostSpec[] {
  return [...topology.targets, topology.web, topology.app, topology.db];
}
