// Questions for whatever the flags and the config file leave open, generated from the settings
// table: each required setting's prompt, its answer validated as it is typed with the same kind the
// flag and the config file obey. Prompts write to stderr so --json stays clean.
import { readText, type AnySetting, type PromptContext } from '../config/setting.js';
import { expandPath } from '../config/resolve.js';
import { CUSTOMISE, REQUIRED, setting, type MissingValue, type TopologyInput } from '../config/settings.js';
import type { Read } from '../config/values.js';
import { splitList } from '../config/values.js';
import type { GuardRules } from '../guard/rules.js';

const context = { output: process.stderr, clearPromptOnDone: false };

/** true, or what is wrong with an answer as typed so far. */
export function validateAnswer(s: AnySetting, text: string, ctx: PromptContext): string | true {
  const value = text.trim();
  if (value === '' || (s.shape === 'list' && splitList(value).length === 0)) return s.prompt?.empty ?? 'enter a value';
  const read = readText(s, value);
  if ('problem' in read) return read.problem;
  return s.prompt?.extra?.(read.value, ctx) ?? true;
}

/** An answer's value: one entry per component may come several to a line (`minio=..., grafana=...`). */
function readAnswer(s: AnySetting, text: string): Read<unknown> {
  if (s.shape !== 'per-component') return readText(s, text);
  let merged: Record<string, unknown> = {};
  for (const item of splitList(text)) {
    const read = readText(s, item);
    if ('problem' in read) return read;
    merged = { ...merged, ...(read.value as object) };
  }
  return { value: merged };
}

/** Like validateAnswer, for a setting that may be left out: an empty answer is none. */
export function validateOptionalAnswer(s: AnySetting, text: string, ctx: PromptContext): string | true {
  const value = text.trim();
  if (value === '') return true;
  const read = readAnswer(s, value);
  if ('problem' in read) return read.problem;
  return s.prompt?.extra?.(read.value, ctx) ?? true;
}

/** A key file typed at a prompt, judged by the check every command runs before connecting. */
export async function validateKeyFile(text: string, cwd: string = process.cwd()): Promise<string | true> {
  const { inspectIdentityFile } = await import('../remote/identity-file.js');
  const found = await inspectIdentityFile(expandPath(text.trim(), cwd));
  return found ? found.message : true;
}

export function validateHostList(value: string): string | true {
  return validateAnswer(setting('targets'), value, { rules: { environmentPatterns: [] }, env: process.env });
}

export const splitHosts = splitList;

export function validateEnvironment(value: string, rules: Pick<GuardRules, 'environmentPatterns'>): string | true {
  return validateAnswer(setting('environment'), value, { rules, env: process.env });
}

/** Asks, in the table's order, for each missing value; returns the answers as a TopologyInput. */
export async function askMissing(
  missing: MissingValue[],
  known: TopologyInput,
  rules: GuardRules,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TopologyInput> {
  const { input, select } = await import('@inquirer/prompts');
  const ctx: PromptContext = { rules, env };
  const answers: Record<string, unknown> = {};
  const need = new Set(missing.map((m) => m.key));
  for (const required of REQUIRED.filter((r) => need.has(r.key))) {
    const [first] = required.settings;
    if (first === undefined) continue;
    let name: string = first;
    if (required.settings.length > 1) {
      name = await select(
        {
          message: required.choose ?? `Which of ${required.configKey}?`,
          choices: required.settings.map((n) => {
            const prompt = setting(n).prompt;
            return { name: prompt?.choice ?? n, value: n as string, disabled: prompt?.unavailable?.(env) ?? false };
          }),
        },
        context,
      );
    }
    const s = setting(name);
    if (s.value.type === 'boolean') {
      answers[name] = true;
      continue;
    }
    const sameAs = s.prompt?.sameAs;
    const suggested =
      sameAs !== undefined
        ? ((answers[sameAs] ?? (known as Record<string, unknown>)[sameAs]) as string | undefined)
        : s.prompt?.suggest?.();
    const validate = async (t: string) => {
      const first = validateAnswer(s, t, ctx);
      return first === true && name === 'identityFile' ? validateKeyFile(t) : first;
    };
    const text = await input({ message: s.prompt?.message ?? `${s.key}:`, default: suggested, validate }, context);
    const read = readText(s, text.trim());
    if ('value' in read) answers[name] = read.value;
  }
  return answers as TopologyInput;
}

/**
 * One yes/no question, then (on yes) each setting of CUSTOMISE that `known` leaves open, in the
 * table's order; an empty answer leaves a setting out. Returns the answers given.
 */
export async function askCustomisation(
  known: TopologyInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TopologyInput> {
  const open = CUSTOMISE.settings.filter((n) => known[n] === undefined);
  if (open.length === 0) return {};
  const { confirm, input } = await import('@inquirer/prompts');
  if (!(await confirm({ message: CUSTOMISE.question, default: false }, context))) return {};
  const ctx: PromptContext = { rules: { environmentPatterns: [] }, env };
  const answers: Record<string, unknown> = {};
  for (const name of open) {
    const s = setting(name);
    const text = await input(
      {
        message: s.prompt?.message ?? `${s.key}:`,
        default: s.prompt?.suggest?.(),
        validate: (t) => validateOptionalAnswer(s, t, ctx),
      },
      context,
    );
    const read = text.trim() === '' ? undefined : readAnswer(s, text.trim());
    if (read && 'value' in read) answers[name] = read.value;
  }
  return answers as TopologyInput;
}

export async function confirmSave(path: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `Save these answers to ${path} for next time?`, default: true }, context);
}
