// What one setting of the settings table (settings.ts) is: its config key, flag, value kind,
// default, help, requirement, prompt and example; and how a flag's or an answer's text is read
// for it. Free of zod and commander.
import type { GuardRules } from '../guard/rules.js';
import { COMPONENTS, type ComponentName } from '../stack/manifest.js';
import { splitList, type Read, type ValueKind } from './values.js';

/** One value; a list (`--target a,b`); or one value per component (`--image minio=...`). */
export type Shape = 'one' | 'list' | 'per-component';
export type PerComponent<T> = Partial<Record<ComponentName, T>>;

export interface PromptContext {
  rules: Pick<GuardRules, 'environmentPatterns'>;
  env: NodeJS.ProcessEnv;
}

export interface Prompt<T> {
  /** The question; a switch chosen among alternatives needs none. */
  message?: string;
  /** Said when the answer is empty. */
  empty?: string;
  /** The suggested answer is what another setting already says (the app host: the web host). */
  sameAs?: string;
  /** A suggested answer found on this machine. */
  suggest?(): string | undefined;
  /** A check only an answer typed now needs (the guard's patterns, that the key file exists). */
  extra?(value: T, ctx: PromptContext): string | null;
  /** Its name when it is one of several ways to satisfy a requirement. */
  choice?: string;
  /** Why that choice cannot be taken now, or null. */
  unavailable?(env: NodeJS.ProcessEnv): string | null;
}

export interface Requirement {
  /** The name of what is missing in a resolution's `missing` list. Default: the setting's name. */
  id?: string;
  /** What is missing, in words: `the web host (HAProxy front door)`. */
  what: string;
  /** Another setting that satisfies the requirement instead (the SSH agent instead of a key file). */
  or?: string;
  /** The question that picks one of the alternatives. */
  choose?: string;
}

export interface Setting<T, L = T> {
  /** Key path in heal-pyroscope.yaml; `COMPONENT` stands for each component's name. */
  key: string;
  shape: Shape;
  /** The kind of each value (each item of a list, each component's entry). */
  value: ValueKind<L>;
  /** What it is: the flag's help, docs/configuration.md's meaning, the init file's comment (`code` in backticks). */
  help: string;
  /** `--ssh-port PORT`; a switch has no value name. Absent: a config-file-only setting. */
  flag?: string;
  /** Used when neither a flag, the file nor an answer sets it. */
  default?: T;
  /** The default in words, when it is not one plain value. */
  defaultText?: string;
  /** YAML text for the init file and docs/configuration.md's example. */
  example: string;
  required?: Requirement;
  prompt?: Prompt<T>;
}

export const one = <T>(s: Omit<Setting<T, T>, 'shape'>): Setting<T, T> => ({ ...s, shape: 'one' });
export const list = <L>(s: Omit<Setting<L[], L>, 'shape'>): Setting<L[], L> => ({ ...s, shape: 'list' });
export const perComponent = <L>(s: Omit<Setting<PerComponent<L>, L>, 'shape'>): Setting<PerComponent<L>, L> => ({
  ...s,
  shape: 'per-component',
});

export type AnySetting = Setting<unknown, unknown>;

/** A setting's default; only for settings that have one. */
export function defaultOf<T, L>(s: Setting<T, L>): T {
  if (s.default === undefined) throw new Error(`setting ${s.key} has no default`);
  return s.default;
}

/** The value a flag's or an answer's text stands for: a list is split at commas and white space. */
export function readText<T, L>(s: Setting<T, L>, text: string): Read<T> {
  if (s.shape === 'list') {
    const values: L[] = [];
    for (const item of splitList(text)) {
      const read = s.value.read(item);
      if ('problem' in read) return read;
      values.push(read.value);
    }
    return { value: values as T };
  }
  if (s.shape === 'per-component') {
    const eq = text.indexOf('=');
    const name = text.slice(0, eq);
    const names = COMPONENTS.map((c) => c.name as string);
    if (eq < 0 || !names.includes(name)) {
      return { problem: `${JSON.stringify(text)} is not ${valueName(s)} (components: ${names.join(', ')})` };
    }
    const read = s.value.read(text.slice(eq + 1));
    return 'problem' in read ? read : { value: { [name]: read.value } as T };
  }
  return s.value.read(text) as Read<T>;
}

/** The flag's value name (`PORT`, `COMPONENT=IMAGE`); empty for a switch. */
export function valueName(s: AnySetting): string {
  return s.flag?.split(' ')[1] ?? '';
}

/** `(default 22)`, `` (default `~/.ssh/known_hosts`) ``, or nothing. */
export function defaultNote(s: AnySetting): string {
  if (s.defaultText !== undefined) return ` (default ${s.defaultText})`;
  if (s.default === undefined || typeof s.default === 'object') return '';
  return typeof s.default === 'string' ? ` (default \`${s.default}\`)` : ` (default ${String(s.default)})`;
}

/** Text for a terminal or a YAML comment: the Markdown backticks dropped. */
export function plain(text: string): string {
  return text.replaceAll('`', '');
}
