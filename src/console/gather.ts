// Turns flags + config file + prompts into a Topology, the way every command needs it.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { expandPath, resolveTopology, stripUndefined } from '../config/resolve.js';
import type { ConfigFile } from '../config/schema.js';
import { repeatedHostsProblem } from '../config/repeated-hosts.js';
import { setting, type MissingValue, type TopologyInput } from '../config/settings.js';
import type { Topology } from '../config/topology.js';
import { renderConfigFile } from '../config/write.js';
import { ExitCode, HealError } from '../core/errors.js';
import { withBuiltIns } from '../guard/rules.js';
import type { SshConfigHost, SshConfigLookup } from '../remote/ssh-config.js';
import type { Output } from './output.js';
import { askMissing, confirmSave } from './prompts.js';
import { DEFAULT_CONFIG_PATH, flagsToInput, type TopologyFlags } from './topology-options.js';

export interface GatherContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  out: Output;
}

export interface Gathered {
  topology: Topology;
  configPath?: string;
  file?: ConfigFile;
  /** What ssh_config said of every host, read once: the connector reuses it (hostConnector). */
  sshConfig?: SshConfigLookup;
}

export async function loadFileFor(
  flags: Pick<TopologyFlags, 'config'>,
  cwd: string,
): Promise<{ file?: ConfigFile; configPath?: string }> {
  if (flags.config !== undefined) {
    return { file: await loadConfigFile(resolve(cwd, flags.config)), configPath: flags.config };
  }
  const fallback = resolve(cwd, DEFAULT_CONFIG_PATH);
  return existsSync(fallback) ? { file: await loadConfigFile(fallback), configPath: fallback } : {};
}

export function missingError(missing: MissingValue[]): HealError {
  return new HealError({
    code: 'config.missing',
    message:
      missing.length === 1 && missing[0] ? `missing ${missing[0].what}` : `missing ${missing.length} required settings`,
    details: missing.map((m) => `${m.what}: pass ${m.flag}, or set ${m.configKey} in the config file`),
    hint:
      'write a config with `heal-pyroscope init`, pass the flags above, or run on a terminal without ' +
      '--yes to be asked',
    exitCode: ExitCode.usage,
  });
}

/** The same target given twice on the command line is a usage error (exit 2) naming the flag. */
export function refuseRepeatedTargets(input: TopologyInput): void {
  const problem = repeatedHostsProblem(input.targets ?? [], input.sshPort);
  if (problem === null) return;
  const targets = setting('targets');
  const flag = targets.flag?.split(' ')[0] ?? targets.key;
  throw new HealError({
    code: 'config.repeated-host',
    message: `${flag}: ${problem}`,
    hint:
      `give each target once (${targets.key}); web, app and db may share a machine, and a target may be ` +
      `one of them`,
    exitCode: ExitCode.usage,
  });
}

/** A key file given to `init` is judged before it is written: a directory, a public key, ... exit 2. */
export async function refuseUnusableKey(path: string): Promise<void> {
  const { inspectIdentityFile } = await import('../remote/identity-file.js');
  const found = await inspectIdentityFile(path);
  if (found)
    throw new HealError({
      code: `ssh.key.${found.kind}`,
      message: found.message,
      hint: found.hint,
      exitCode: ExitCode.usage,
    });
}

/**
 * What ssh_config sets for every host the flags, the file and the answers name (ssh -G, or the parser
 * without an OpenSSH client): its User and IdentityFile stand in for ssh.user and a key. --verbose
 * says which reader read which file, and what it found for each host.
 */
export async function sshConfigFor(
  input: TopologyInput,
  file: ConfigFile | undefined,
  answers: TopologyInput,
  where: { cwd: string; configPath?: string | undefined; out?: Output },
): Promise<(host: string) => SshConfigHost> {
  const lookup = await readSshConfig(input, file, answers, where);
  return (host) => lookup.of(host);
}

/** sshConfigFor's lookup itself, for the connector to reuse. */
async function readSshConfig(
  input: TopologyInput,
  file: ConfigFile | undefined,
  answers: TopologyInput,
  where: { cwd: string; configPath?: string | undefined; out?: Output },
  known?: SshConfigLookup,
): Promise<SshConfigLookup> {
  const hosts = [
    input.web ?? file?.hosts?.web ?? answers.web,
    input.app ?? file?.hosts?.app ?? answers.app,
    input.db ?? file?.hosts?.db ?? answers.db,
  ]
    .concat(input.targets ?? file?.hosts?.targets ?? answers.targets ?? [])
    .flatMap((h) => (h === undefined ? [] : [typeof h === 'string' ? h : h.host]));
  const configFile =
    input.sshConfigFile !== undefined
      ? expandPath(input.sshConfigFile, where.cwd)
      : file?.ssh?.configFile !== undefined
        ? expandPath(file.ssh.configFile, where.configPath ? dirname(resolve(where.cwd, where.configPath)) : where.cwd)
        : undefined;
  const { lookupSshConfig, sshConfigSource } = await import('../remote/ssh-config.js');
  const lookup = await lookupSshConfig(hosts, sshConfigSource(configFile), known);
  for (const note of lookup.notes) where.out?.debug(note);
  for (const host of new Set(hosts)) {
    const found = lookup.of(host);
    const set = [
      found.hostName && `HostName ${found.hostName}`,
      found.port && `Port ${found.port}`,
      found.user && `User ${found.user}`,
      ...found.identityFiles.map((f) => `IdentityFile ${f}`),
      found.identitiesOnly && 'IdentitiesOnly yes',
      found.proxyJump && `ProxyJump ${found.proxyJump}`,
      ...found.certificateFiles.map((f) => `CertificateFile ${f} (not used: ssh2 cannot present certificates)`),
    ].filter(Boolean);
    where.out?.debug(`ssh_config for ${host}: ${set.length > 0 ? set.join(', ') : 'nothing set'}`);
  }
  return lookup;
}

export async function gatherTopology(flags: TopologyFlags, ctx: GatherContext): Promise<Gathered> {
  const input = flagsToInput(flags);
  refuseRepeatedTargets(input);
  const { file, configPath } = await loadFileFor(flags, ctx.cwd);
  const where = { cwd: ctx.cwd, configPath, out: ctx.out };
  const rctx = { configPath, cwd: ctx.cwd, agentSocket: ctx.env.SSH_AUTH_SOCK || undefined };
  const firstLookup = await readSshConfig(input, file, {}, where);
  const first = resolveTopology(input, file, {}, { ...rctx, sshConfig: firstLookup.of });
  if (first.topology) return { topology: first.topology, configPath, file, sshConfig: firstLookup };
  if (!ctx.interactive) throw missingError(first.missing);

  const known: TopologyInput = {
    ...input,
    web: input.web ?? hostOf(file?.hosts?.web),
    app: input.app ?? hostOf(file?.hosts?.app),
  };
  const rules = withBuiltIns(stripUndefined(file?.guard ?? {}));
  const answers = await askMissing(first.missing, known, rules);
  const secondLookup = await readSshConfig(input, file, answers, { ...where, out: undefined }, firstLookup);
  const second = resolveTopology(input, file, answers, { ...rctx, sshConfig: secondLookup.of });
  if (!second.topology) throw missingError(second.missing);
  if (!configPath) {
    const target = resolve(ctx.cwd, DEFAULT_CONFIG_PATH);
    if (await confirmSave(target)) {
      await writeFile(target, renderConfigFile({ ...answers, ...stripUndefined(input) }), { flag: 'wx' });
      ctx.out.say(`Saved ${target}; next time run with --config ${DEFAULT_CONFIG_PATH} (or from this directory).`);
    }
  }
  return { topology: second.topology, configPath, file, sshConfig: secondLookup };
}

function hostOf(entry: string | { host: string } | undefined): string | undefined {
  return typeof entry === 'string' ? entry : entry?.host;
}
