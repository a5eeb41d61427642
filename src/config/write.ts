// Renders heal-pyroscope.yaml from the settings table: every setting in the table's order, with its
// help as a comment; a value given on the command line or at a prompt is written, any other setting
// shows its example, commented out (`init`, "save these answers") or written (the example in
// docs/configuration.md). The tests parse both back, so every key written here is one the schema
// accepts. Also docs/configuration.md's table of the guard's defaults.
import { isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { defaultNote, plain, type AnySetting } from './setting.js';
import { SECTIONS, setting, settingEntries, type TopologyInput } from './settings.js';
import { LOCAL_PATH } from './values.js';

const COMMENT_COLUMN = 40;

const yamlValue = (value: unknown): string =>
  stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd();

function comment(s: AnySetting): string {
  const required = s.required ? `; required${s.required.or ? `, or ${setting(s.required.or).key}` : ''}` : '';
  return plain(`${s.help}${defaultNote(s)}${required}`);
}

/** The comment beside the line, or above it when the line is too long to leave room. */
function withComment(line: string, text: string): string[] {
  if (line.length < COMMENT_COLUMN - 1) return [`${line.padEnd(COMMENT_COLUMN - 1)} # ${text}`];
  return [`${' '.repeat(line.length - line.trimStart().length)}# ${text}`, line];
}

export interface RenderOptions {
  /** `commented`: settings without a value show their example commented out; `written`: as values. */
  examples?: 'commented' | 'written';
  header?: boolean;
}

export function renderConfigFile(input: TopologyInput, options: RenderOptions = {}): string {
  const { examples = 'commented', header = true } = options;
  const values = input as Record<string, unknown>;
  const lines = header
    ? [
        '# heal-pyroscope topology. Reference: docs/configuration.md ("Config file"), or `heal-pyroscope init --help`.',
        '# Flags given on the command line override the values in this file.',
      ]
    : [];
  let open: string[] = [];
  for (const [name, s] of settingEntries()) {
    // `images.COMPONENT` is one mapping under `images`, one entry per component.
    const path = s.key.split('.').filter((part) => part !== 'COMPONENT');
    const [section] = path;
    const leaf = path.at(-1);
    if (section === undefined || leaf === undefined)
      throw new Error(`internal error: setting ${name} has an empty key`);
    const parents = path.slice(0, -1);
    if (open.length === 0 || open[0] !== section) {
      if (lines.length > 0) lines.push('');
      lines.push(...(SECTIONS[section] ?? []).map((c) => `# ${c}`));
      open = [];
    }
    let common = 0;
    while (common < open.length && open[common] === parents[common]) common++;
    for (let depth = common; depth < parents.length; depth++) lines.push(`${'  '.repeat(depth)}${parents[depth]}:`);
    open = path.length > 1 ? parents : path;
    const indent = '  '.repeat(parents.length);
    const value = values[name];
    const text =
      value !== undefined
        ? `${leaf}: ${yamlValue(value)}`
        : `${examples === 'commented' ? '# ' : ''}${leaf}: ${s.example}`;
    lines.push(...withComment(`${indent}${text}`, comment(s)));
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * The input with each relative local path (a key file, known_hosts) rewritten for a config file in
 * `configDir`: flags and answers are relative to the working directory, a file's paths to the file.
 */
export function relativeToConfig(input: TopologyInput, where: { cwd: string; configDir: string }): TopologyInput {
  const out: Record<string, unknown> = { ...input };
  for (const [name, s] of settingEntries()) {
    const value = out[name];
    if (
      s.value !== LOCAL_PATH ||
      typeof value !== 'string' ||
      value === '~' ||
      value.startsWith('~/') ||
      isAbsolute(value)
    )
      continue;
    out[name] = relative(resolve(where.configDir), resolve(where.cwd, value));
  }
  return out as TopologyInput;
}

/** docs/configuration.md's table of the production guard's default lists ("Production guard"). */
export function guardTable(): string {
  const code = (value: string) => `\`${value.replaceAll('|', '\\|')}\``;
  const rows = settingEntries()
    .filter(([, s]) => s.key.startsWith('guard.'))
    .map(([, s]) => `| \`${s.key}\` | ${s.help} | ${s.defaultText ?? (s.default as string[]).map(code).join(', ')} |`);
  return ['| key | what it lists | default |', '|---|---|---|', ...rows].join('\n');
}

/** docs/configuration.md's example file ("Config file"): every key with an example value. */
export function configExample(): string {
  return renderConfigFile({}, { examples: 'written', header: false });
}
