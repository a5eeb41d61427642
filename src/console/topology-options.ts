// The flags every topology-aware command shares, generated from the settings table: each setting's
// flag, its parser (a bad value is a usage error naming the flag) and its help; how the parsed
// flags become a TopologyInput; and docs/configuration.md's table of them.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultNote, plain, readText, type AnySetting } from '../config/setting.js';
import { setting, settingEntries, SETTINGS, type SettingName, type TopologyInput } from '../config/settings.js';
import type { ImageOverrides } from '../stack/image-ref.js';

import { PLAIN_OPTIONS } from './plain-options.js';

export { DEFAULT_CONFIG_PATH, PLAIN_OPTIONS } from './plain-options.js';

/** What commander parsed: `config`, `yes`, and each setting's flag under commander's attribute name. */
export interface TopologyFlags {
  config?: string;
  yes?: boolean;
  [attribute: string]: unknown;
}

/** `-c, --config PATH` as commander spells it: `-c, --config <path>`. */
function commanderFlags(flag: string): string {
  const [names, value] = flag.split(/ (?=[^-\s][^\s]*$)/);
  return value === undefined ? flag : `${names} <${value.toLowerCase()}>`;
}

/** Parses one occurrence of a setting's flag; a repeatable flag adds to what came before. */
export function flagParser(s: AnySetting): (text: string, previous: unknown) => unknown {
  return (text, previous) => {
    const read = readText(s, text);
    if ('problem' in read) throw new InvalidArgumentError(`${read.problem}.`);
    if (s.shape === 'list') return [...((previous as unknown[] | undefined) ?? []), ...(read.value as unknown[])];
    if (s.shape === 'per-component') return { ...(previous as object | undefined), ...(read.value as object) };
    return read.value;
  };
}

function repeatNote(s: AnySetting): string {
  return s.shape === 'list' ? 'repeatable, or comma-separated' : s.shape === 'per-component' ? 'repeatable' : '';
}

/** The commander option of a setting, its help ending with the config key and the default. */
export function settingOption(name: SettingName): Option {
  const s = setting(name);
  if (!s.flag) throw new Error(`setting ${name} has no flag`);
  const repeat = repeatNote(s);
  const note = defaultNote(s)
    .replace(/^ \(default /, '; default ')
    .replace(/\)$/, '');
  const option = new Option(
    commanderFlags(s.flag),
    plain(`${s.help}${repeat ? `; ${repeat}` : ''} (config: ${s.key}${note})`),
  );
  return s.value.type === 'boolean' ? option : option.argParser(flagParser(s));
}

/** `--image COMPONENT=IMAGE`, repeatable: one component's image, pinned by tag or digest. */
export const collectImage = flagParser(SETTINGS.images) as (value: string, previous?: ImageOverrides) => ImageOverrides;

function withFlags(): Array<[SettingName, AnySetting & { flag: string }]> {
  return settingEntries().filter((e): e is [SettingName, AnySetting & { flag: string }] => e[1].flag !== undefined);
}

/** Adds the shared topology flags to a command. */
export function withTopologyOptions(command: Command): Command {
  command.option(commanderFlags(PLAIN_OPTIONS.config.flag), plain(PLAIN_OPTIONS.config.help));
  for (const [name] of withFlags()) command.addOption(settingOption(name));
  return command.addOption(new Option(commanderFlags(PLAIN_OPTIONS.yes.flag), PLAIN_OPTIONS.yes.help));
}

export function flagsToInput(flags: TopologyFlags): TopologyInput {
  const input: Record<string, unknown> = {};
  for (const [name, s] of withFlags()) {
    const value = flags[new Option(commanderFlags(s.flag)).attributeName()];
    if (value !== undefined) input[name] = value;
  }
  return input as TopologyInput;
}

/** docs/configuration.md's flag table ("Settings"); test/unit/config/settings.test.ts fails when it drifts. */
export function flagTable(): string {
  const row = (flag: string, key: string, meaning: string) => `| ${flag} |${key ? ` ${key} ` : ' '}| ${meaning} |`;
  const settingRows = withFlags().map(([, s]) => {
    const repeat = repeatNote(s);
    return row(`\`${s.flag}\`${repeat ? ` (${repeat})` : ''}`, `\`${s.key}\``, `${s.help}${defaultNote(s)}`);
  });
  const { config, yes, json, verbose } = PLAIN_OPTIONS;
  return [
    '| flag | config key | meaning |',
    '|---|---|---|',
    row(`\`${config.flag}\``, '', config.help),
    ...settingRows,
    ...[yes, json, verbose].map((o) => row(`\`${o.flag}\``, '', o.help)),
  ].join('\n');
}

/** Prompts are shown only on a terminal, outside CI, and without --yes. */
export function isInteractive(
  flags: { yes?: boolean },
  env: NodeJS.ProcessEnv,
  stdin: { isTTY?: boolean },
  stderr: { isTTY?: boolean },
): boolean {
  if (flags.yes) return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return false;
  return stdin.isTTY === true && stderr.isTTY === true;
}

/** A whole number from `min` to `max`, else a usage error naming the range (and `unit`). */
function wholeNumber(min: number, max: number, unit = ''): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`${JSON.stringify(v)} is not a number${unit} from ${min} to ${max}.`);
    return n;
  };
}

/** SSH connection flags of the commands that reach hosts. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option(
      '--accept-new-host-keys',
      'record the key of a host not yet in known_hosts without asking (a changed key is always refused)',
    )
    .option('--concurrency <n>', 'hosts connected at once (default 64)', wholeNumber(1, 256))
    .option(
      '--connect-timeout <seconds>',
      'seconds allowed for the TCP connection to each host (and jump host), and again for its SSH handshake ' +
        '(1-600; default 10 and 20)',
      wholeNumber(1, 600, ' of seconds'),
    );
}
