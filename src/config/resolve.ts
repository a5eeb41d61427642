// Merges the three sources of settings: flags over the config file over prompt answers over
// defaults. Returns the complete topology, or the list of values still missing so that the CLI can
// ask for them (on a TTY) or name the flag and key to set (everywhere else).
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { defined } from '../core/defined.js';
import { withBuiltIns } from '../guard/rules.js';
import { resolveImages } from '../stack/image-ref.js';
import { COMPONENTS, type ComponentName, type Tier } from '../stack/manifest.js';
import type { ConfigFile, HostEntry } from './schema.js';
import { defaultOf } from './setting.js';
import { REQUIRED, SETTINGS, type MissingValue, type TopologyInput } from './settings.js';
import type { ContainerLimits, HostSpec, JumpHost, SshOptions, Topology } from './topology.js';
import { retentionHours, type FrontDoorAuthMode, type FrontDoorTlsMode } from './values.js';

/** Where the operator runs heal-pyroscope from: the base of relative paths, and whether an SSH agent runs. */
export interface TopologyResolveContext {
  /** Path of the config file the `file` settings came from (relative paths in it are relative to it). */
  configPath?: string;
  cwd: string;
  /** SSH_AUTH_SOCK, when an agent is running. */
  agentSocket?: string;
  /** What ssh_config sets for a host: User and IdentityFile stand in for ssh.user and a key; HostName is its address. */
  sshConfig?: (host: string) => { hostName?: string; user?: string; identityFiles: readonly string[] };
}

export type Resolution = { topology: Topology; missing: [] } | { topology: null; missing: MissingValue[] };

export function resolveTopology(
  flags: TopologyInput,
  file: ConfigFile | undefined,
  answers: TopologyInput,
  ctx: TopologyResolveContext,
): Resolution {
  const fileDir = ctx.configPath ? dirname(resolve(ctx.cwd, ctx.configPath)) : ctx.cwd;
  const inFileDir = (p: string) => expandPath(p, fileDir);
  const fromFile = (p: string | undefined) => (p === undefined ? undefined : inFileDir(p));
  const fromCli = (p: string | undefined) => (p === undefined ? undefined : expandPath(p, ctx.cwd));

  const pick = <T>(flag: T | undefined, conf: T | undefined, answer: T | undefined): T | undefined =>
    flag ?? conf ?? answer;
  const hostsFile = file?.hosts;
  const environment = pick(flags.environment, file?.environment, answers.environment);
  const targets = nonEmpty(flags.targets) ?? nonEmpty(hostsFile?.targets) ?? nonEmpty(answers.targets);
  const web = pick<HostEntry>(flags.web, hostsFile?.web, answers.web);
  const app = pick<HostEntry>(flags.app, hostsFile?.app, answers.app);
  const db = pick<HostEntry>(flags.db, hostsFile?.db, answers.db);

  const identityFile =
    fromCli(flags.identityFile) ?? fromFile(file?.ssh?.identityFile) ?? fromCli(answers.identityFile);
  const agentChoice = pick(flags.agent, file?.ssh?.agent, answers.agent);
  // With no key given, a running agent is the natural default (as with OpenSSH).
  const agent = agentChoice ?? (identityFile === undefined && ctx.agentSocket !== undefined);
  // A jump host's own key in the file is relative to the file, as every other path there.
  const jumpOf = (jump: JumpHost | undefined, fromPath: (p: string) => string): JumpHost | undefined =>
    jump === undefined || typeof jump === 'string'
      ? jump
      : { ...jump, ...(jump.identityFile ? { identityFile: fromPath(jump.identityFile) } : {}) };
  const defaults: SshOptions = {
    user: pick(flags.sshUser, file?.ssh?.user, answers.sshUser),
    port: pick(flags.sshPort, file?.ssh?.port, answers.sshPort),
    identityFile,
    agent,
    knownHostsFile:
      fromCli(flags.knownHostsFile) ??
      fromFile(file?.ssh?.knownHostsFile) ??
      expandPath(defaultOf(SETTINGS.knownHostsFile), ctx.cwd),
    jumpHost: flags.jumpHost ?? jumpOf(file?.ssh?.jumpHost, inFileDir) ?? answers.jumpHost,
    configFile: fromCli(flags.sshConfigFile) ?? fromFile(file?.ssh?.configFile),
  };

  // ssh_config's User and IdentityFile for a host count as given (OpenSSH would use them).
  const entries = [web, app, db, ...(targets ?? [])];
  const fromSshConfig = (h: HostEntry) => ctx.sshConfig?.(typeof h === 'string' ? h : h.host) ?? { identityFiles: [] };
  const everyHost = (has: (h: HostEntry) => boolean) => entries.every((h) => h !== undefined && has(h));
  const given: Record<string, boolean> = {
    environment: Boolean(environment),
    targets: targets !== undefined,
    web: web !== undefined,
    app: app !== undefined,
    db: db !== undefined,
    sshUser:
      Boolean(defaults.user) || everyHost((h) => Boolean((typeof h === 'object' && h.user) || fromSshConfig(h).user)),
    sshAuth:
      Boolean(defaults.identityFile) ||
      defaults.agent ||
      everyHost((h) => Boolean(typeof h === 'object' && h.identityFile) || fromSshConfig(h).identityFiles.length > 0),
  };
  const missing: MissingValue[] = REQUIRED.filter((r) => {
    if (!(r.key in given)) throw new Error(`resolveTopology does not know when ${r.key} is given`);
    return !given[r.key];
  }).map(({ key, configKey, flag, what }) => ({ key, configKey, flag, what }));
  if (missing.length > 0 || !environment || !targets || !web || !app || !db) {
    return { topology: null, missing };
  }

  const socket = file?.docker?.socket ?? defaultOf(SETTINGS.dockerSocket);
  // An ssh_config alias connects by its name, but the other hosts and the containers need its HostName.
  const addressOf = (name: string): Pick<HostSpec, 'host' | 'sshAlias'> => {
    const hostName = ctx.sshConfig?.(name).hostName?.replace(/%(%|h)/g, (_, t: string) => (t === 'h' ? name : '%'));
    return hostName && hostName.toLowerCase() !== name.toLowerCase()
      ? { host: hostName, sshAlias: name }
      : { host: name };
  };
  const spec = (tier: Tier, entry: HostEntry): HostSpec => {
    if (typeof entry === 'string')
      return { tier, name: entry, ...addressOf(entry), ssh: { ...defaults }, dockerSocket: socket };
    return {
      tier,
      name: entry.name ?? entry.host,
      ...addressOf(entry.host),
      ssh: {
        ...defaults,
        user: entry.user ?? defaults.user,
        port: entry.port ?? defaults.port,
        identityFile: fromFile(entry.identityFile) ?? defaults.identityFile,
        jumpHost: jumpOf(entry.jumpHost, inFileDir) ?? defaults.jumpHost,
      },
      dockerSocket: entry.dockerSocket ?? socket,
    };
  };

  const guard = withBuiltIns(stripUndefined(file?.guard ?? {}));
  return {
    topology: {
      environment,
      targets: targets.map((t) => spec('target', t)),
      web: spec('web', web),
      app: spec('app', app),
      db: spec('db', db),
      dockerSocket: socket,
      registryPrefix: flags.registryPrefix ?? file?.registry?.prefix,
      images: resolveImages(flags.registryPrefix ?? file?.registry?.prefix, {
        ...stripUndefined(file?.images ?? {}),
        ...flags.images,
      }),
      containers: containerLimits(file?.containers),
      grafanaPort: pick(flags.grafanaPort, file?.grafana?.port, answers.grafanaPort) ?? defaultOf(SETTINGS.grafanaPort),
      retention: {
        profilesHours: retentionHours(file?.retention?.profiles ?? defaultOf(SETTINGS.retentionProfiles)),
        tracesHours: retentionHours(file?.retention?.traces ?? defaultOf(SETTINGS.retentionTraces)),
      },
      restrictFlows: file?.flows?.restrict ?? defaultOf(SETTINGS.restrictFlows),
      frontDoorAllowFrom: file?.frontDoor?.allowFrom ?? defaultOf(SETTINGS.frontDoorAllowFrom),
      frontDoorTls: (file?.frontDoor?.tls ?? defaultOf(SETTINGS.frontDoorTls)) as FrontDoorTlsMode,
      otlpHttp: file?.frontDoor?.otlpHttp ?? defaultOf(SETTINGS.frontDoorOtlpHttp),
      frontDoorAuth: (file?.frontDoor?.auth ?? defaultOf(SETTINGS.frontDoorAuth)) as FrontDoorAuthMode,
      tenants:
        (file?.frontDoor?.auth ?? defaultOf(SETTINGS.frontDoorAuth)) === 'none'
          ? []
          : (file?.tenants ?? defaultOf(SETTINGS.tenants)),
      frontDoorNames: file?.frontDoor?.names ?? defaultOf(SETTINGS.frontDoorNames),
      ...(file?.frontDoor?.certificate && file.frontDoor.key && file.frontDoor.ca
        ? {
            frontDoorTlsFiles: {
              certificate: inFileDir(file.frontDoor.certificate),
              key: inFileDir(file.frontDoor.key),
              ca: inFileDir(file.frontDoor.ca),
            },
          }
        : {}),
      consolesPublished:
        file?.consoles?.published ??
        ((file?.consoles?.allowFrom?.length ?? 0) > 0 || defaultOf(SETTINGS.consolesPublished)),
      consolesAllowFrom: file?.consoles?.allowFrom ?? defaultOf(SETTINGS.consolesAllowFrom),
      guard,
    },
    missing: [],
  };
}

/** `512m` or `2g` in MiB; `none` is null. */
export function memoryMiB(limit: string): number | null {
  if (limit === 'none') return null;
  const n = Number(limit.slice(0, -1));
  return limit.endsWith('g') ? n * 1024 : n;
}

export function containerLimits(file: ConfigFile['containers']): ContainerLimits {
  const limits = { ...defaultOf(SETTINGS.memoryLimits), ...stripUndefined(file?.memoryLimits ?? {}) };
  return {
    logMaxSize: file?.logs?.maxSize ?? defaultOf(SETTINGS.logMaxSize),
    logMaxFiles: file?.logs?.maxFiles ?? defaultOf(SETTINGS.logMaxFiles),
    memoryLimitMiB: Object.fromEntries(
      // The setting's default names every component, so each has a limit.
      COMPONENTS.map((c) => [c.name, memoryMiB(defined(limits[c.name], `the memory limit of ${c.name}`))]),
    ) as Record<ComponentName, number | null>,
  };
}

export function expandPath(path: string, base: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(base, path);
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

export function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
