// `init`: writes a commented heal-pyroscope.yaml from flags and, on a terminal, answers to the
// same questions install asks.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { expandPath, resolveTopology, stripUndefined } from '../config/resolve.js';
import { relativeToConfig, renderConfigFile } from '../config/write.js';
import { ExitCode, HealError } from '../core/errors.js';
import { STATE_DIR } from '../state/state-file.js';
import { DEFAULT_GUARD_RULES } from '../guard/rules.js';
import { refuseRepeatedTargets, refuseUnusableKey, sshConfigFor, type GatherContext } from '../console/gather.js';
import type { TopologyInput } from '../config/settings.js';
import { askCustomisation, askMissing } from '../console/prompts.js';
import { DEFAULT_CONFIG_PATH, flagsToInput, type TopologyFlags } from '../console/topology-options.js';

export interface InitFlags extends TopologyFlags {
  force?: boolean;
}

export async function runInit(flags: InitFlags, ctx: GatherContext): Promise<number> {
  const path = resolve(ctx.cwd, flags.config ?? DEFAULT_CONFIG_PATH);
  if (existsSync(path) && !flags.force) {
    throw new HealError({
      code: 'init.exists',
      message: `${path} already exists`,
      hint: 'edit it, choose another path with --config, or overwrite it with --force',
      exitCode: ExitCode.usage,
    });
  }
  const input = flagsToInput(flags);
  refuseRepeatedTargets(input);
  if (input.identityFile !== undefined) await refuseUnusableKey(expandPath(input.identityFile, ctx.cwd));
  // Hosts given as ssh_config aliases with a User and an IdentityFile need neither asked.
  const rctx = {
    cwd: ctx.cwd,
    agentSocket: ctx.env.SSH_AUTH_SOCK || undefined,
    sshConfig: await sshConfigFor(input, undefined, {}, { cwd: ctx.cwd, out: ctx.out }),
  };
  let missing = resolveTopology(input, undefined, {}, rctx).missing;
  let answers: TopologyInput = {};
  if (missing.length > 0 && ctx.interactive) {
    answers = await askMissing(missing, input, DEFAULT_GUARD_RULES);
    missing = resolveTopology(input, undefined, answers, {
      ...rctx,
      sshConfig: await sshConfigFor(input, undefined, answers, { cwd: ctx.cwd }),
    }).missing;
  }
  if (ctx.interactive) answers = { ...answers, ...(await askCustomisation({ ...answers, ...input }, ctx.env)) };
  // Flags and answers name paths from the working directory; the file's are read from its own.
  const values = relativeToConfig({ ...answers, ...stripUndefined(input) }, { cwd: ctx.cwd, configDir: dirname(path) });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderConfigFile(values), { mode: 0o644 });
  ctx.out.say(`Wrote ${path}.`);
  const ignore = await ignoreStateDir(dirname(path));
  if (ignore)
    ctx.out.say(`${ignore} ${join(dirname(path), '.gitignore')}: the credentials in ${STATE_DIR}/ stay out of git.`);
  if (missing.length > 0) {
    ctx.out.say(`Still to fill in before install: ${missing.map((m) => m.configKey).join(', ')}.`);
  }
  ctx.out.say(`Next: heal-pyroscope preflight --config ${flags.config ?? DEFAULT_CONFIG_PATH}`);
  ctx.out.result({ ok: true, path, missing: missing.map((m) => m.configKey) });
  return ExitCode.ok;
}

/**
 * The config is meant to be shared (in git); the state directory beside it holds credentials.
 * Adds `/.heal-pyroscope/` to the `.gitignore` beside the config, creating it if need be; a file that
 * already names it is left alone. Returns what was done, or null.
 */
export async function ignoreStateDir(dir: string): Promise<'Wrote' | 'Added the state directory to' | null> {
  const path = join(dir, '.gitignore');
  const line = `/${STATE_DIR}/`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await writeFile(path, `# heal-pyroscope: generated credentials, never committed\n${line}\n`, {
      mode: 0o644,
      flag: 'wx',
    });
    return 'Wrote';
  }
  const names = text.split('\n').map((l) => l.trim());
  if ([line, STATE_DIR, `${STATE_DIR}/`, `/${STATE_DIR}`].some((n) => names.includes(n))) return null;
  await appendFile(path, `${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
  return 'Added the state directory to';
}
