// Questions for whatever the flags and the config file leave open, generated from the settings
// table: each required setting's prompt, its answer validated as it is typed with the same kind the
// flag and the config file obey. Prompts write to stderr so --json stays clean.
import { readText, type AnySetting, type PromptContext } from '../config/setting.js';
import { REQUIRED, setting, type MissingValue, type TopologyInput } from '../config/settings.js';
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
    let name: string = required.settings[0]!;
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
    const suggested = sameAs !== undefined ? ((answers[sameAs] ?? (known as Record<string, unknown>)[sameAs]) as string | undefined) : s.prompt?.suggest?.();
    const text = await input({ message: s.prompt?.message ?? `${s.key}:`, default: suggested, validate: (t) => validateAnswer(s, t, ctx) }, context);
    const read = readText(s, text.trim());
    if ('value' in read) answers[name] = read.value;
  }
  return answers as TopologyInput;
}

export async function confirmSave(path: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `Save these answers to ${path} for next time?`, default: true }, context);
}
