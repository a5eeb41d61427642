// The flags every topology-aware command shares, how their values are checked as they are parsed
// (a bad flag is a usage error naming the flag), and how they become a TopologyInput.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TopologyInput } from '../config/resolve.js';
import { isValidHost } from '../config/hostname.js';
import { pinnedImageProblem, type ImageOverrides } from '../stack/image-ref.js';
import { COMPONENTS, type ComponentName } from '../stack/manifest.js';

export const DEFAULT_CONFIG_PATH = 'heal-pyroscope.yaml';

export interface TopologyFlags {
  config?: string;
  environment?: string;
  target?: string[];
  web?: string;
  app?: string;
  db?: string;
  sshUser?: string;
  sshPort?: number;
  identityFile?: string;
  sshAgent?: boolean;
  knownHosts?: string;
  jumpHost?: string;
  registryPrefix?: string;
  image?: ImageOverrides;
  grafanaPort?: number;
  yes?: boolean;
}

function parseHost(value: string): string {
  if (!isValidHost(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a valid hostname or IP address.`);
  return value;
}

function collectHost(value: string, previous: string[] = []): string[] {
  // `--target a,b` and `--target a --target b` both work.
  return [...previous, ...value.split(',').filter((v) => v.trim() !== '').map((v) => parseHost(v.trim()))];
}

const COMPONENT_NAMES = COMPONENTS.map((c) => c.name);

/** `--image COMPONENT=REF`, repeatable: one component's image, pinned by tag or digest. */
export function collectImage(value: string, previous: ImageOverrides = {}): ImageOverrides {
  const eq = value.indexOf('=');
  const name = value.slice(0, eq) as ComponentName;
  if (eq < 0 || !COMPONENT_NAMES.includes(name)) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not COMPONENT=IMAGE (components: ${COMPONENT_NAMES.join(', ')}).`);
  }
  const ref = value.slice(eq + 1);
  const problem = pinnedImageProblem(ref);
  if (problem) throw new InvalidArgumentError(`${JSON.stringify(ref)} ${problem}.`);
  return { ...previous, [name]: ref };
}

export const IMAGE_FLAG_HELP = 'run IMAGE for COMPONENT instead of its pin, e.g. minio=mirror.internal/minio/minio:RELEASE...; repeatable (config: images.COMPONENT)';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a port (1-65535).`);
  return port;
}

/** Adds the shared topology flags to a command. */
export function withTopologyOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', `topology file (default: ./${DEFAULT_CONFIG_PATH} when it exists)`)
    .option('--environment <name>', 'declared environment name, e.g. staging (config: environment)')
    .option('--target <host>', 'a target host running profiled apps; repeat or comma-separate (config: hosts.targets)', collectHost)
    .option('--web <host>', 'web host for the HAProxy front door on 9940 (config: hosts.web)', parseHost)
    .option('--app <host>', 'app host for Pyroscope, Tempo and Grafana (config: hosts.app)', parseHost)
    .option('--db <host>', 'db host for MinIO (config: hosts.db)', parseHost)
    .option('--ssh-user <user>', 'SSH user on every host (config: ssh.user)')
    .option('--ssh-port <port>', 'SSH port (config: ssh.port; default 22)', parsePort)
    .option('--identity-file <path>', 'private key file (config: ssh.identityFile)')
    .option('--ssh-agent', 'authenticate with the agent at SSH_AUTH_SOCK (config: ssh.agent)')
    .option('--known-hosts <path>', 'known_hosts file for host key checks (config: ssh.knownHostsFile; default ~/.ssh/known_hosts)')
    .option('--jump-host <[user@]host[:port]>', 'reach every host through this bastion (config: ssh.jumpHost)')
    .option('--registry-prefix <prefix>', 'pull the pinned images under this registry prefix (config: registry.prefix)')
    .option('--image <component=image>', IMAGE_FLAG_HELP, collectImage)
    .option('--grafana-port <port>', 'Grafana port on the app host (config: grafana.port; default 3000)', parsePort)
    .addOption(new Option('-y, --yes', 'never prompt: a missing value is an error (implied without a TTY or with CI=true)'));
}

export function flagsToInput(flags: TopologyFlags): TopologyInput {
  return {
    environment: flags.environment,
    targets: flags.target,
    web: flags.web,
    app: flags.app,
    db: flags.db,
    sshUser: flags.sshUser,
    sshPort: flags.sshPort,
    identityFile: flags.identityFile,
    agent: flags.sshAgent,
    knownHostsFile: flags.knownHosts,
    jumpHost: flags.jumpHost,
    registryPrefix: flags.registryPrefix,
    images: flags.image,
    grafanaPort: flags.grafanaPort,
  };
}

/** Prompts are shown only on a terminal, outside CI, and without --yes. */
export function isInteractive(flags: { yes?: boolean }, env: NodeJS.ProcessEnv, stdin: { isTTY?: boolean }, stderr: { isTTY?: boolean }): boolean {
  if (flags.yes) return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return false;
  return stdin.isTTY === true && stderr.isTTY === true;
}

/** SSH connection flags of the commands that reach hosts. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--accept-new-host-keys', 'record the key of a host not yet in known_hosts without asking (a changed key is always refused)')
    .option('--concurrency <n>', 'hosts connected at once (default 8)', (v: string) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 256) throw new InvalidArgumentError(`${JSON.stringify(v)} is not a number from 1 to 256.`);
      return n;
    });
}
