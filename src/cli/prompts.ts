// Questions for whatever the flags and the config file leave open. Every answer is validated as it
// is typed, with the same rules the config file obeys. Prompts write to stderr so --json stays clean.
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { MissingValue, TopologyInput } from '../config/resolve.js';
import { isValidHost } from '../config/hostname.js';
import type { GuardRules } from '../guard/rules.js';

const context = { output: process.stderr, clearPromptOnDone: false };

function hostQuestion(label: string) {
  return (value: string): string | true => {
    const v = value.trim();
    if (v === '') return `enter ${label}`;
    return isValidHost(v) ? true : `"${v}" is not a valid hostname or IP address`;
  };
}

export function validateHostList(value: string): string | true {
  const hosts = splitHosts(value);
  if (hosts.length === 0) return 'enter at least one host (separate several with commas or spaces)';
  const bad = hosts.find((h) => !isValidHost(h));
  return bad === undefined ? true : `"${bad}" is not a valid hostname or IP address`;
}

export function splitHosts(value: string): string[] {
  return value.split(/[\s,]+/).filter((h) => h !== '');
}

export function validateEnvironment(value: string, rules: Pick<GuardRules, 'environmentPatterns'>): string | true {
  const v = value.trim();
  if (v === '') return 'enter the environment name, e.g. staging';
  const hit = rules.environmentPatterns.find((p) => new RegExp(p, 'i').test(v));
  return hit === undefined ? true : `"${v}" looks like production (rule /${hit}/i): heal-pyroscope never installs there`;
}

/** Asks, in a fixed order, for each missing value; returns the answers as a TopologyInput. */
export async function askMissing(missing: MissingValue[], known: TopologyInput, rules: GuardRules): Promise<TopologyInput> {
  const { input, select } = await import('@inquirer/prompts');
  const answers: TopologyInput = {};
  const need = new Set(missing.map((m) => m.key));
  if (need.has('environment')) {
    answers.environment = (
      await input({ message: 'Environment name (e.g. staging):', validate: (v) => validateEnvironment(v, rules) }, context)
    ).trim();
  }
  if (need.has('targets')) {
    const list = await input({ message: 'Target hosts (profiled apps), comma-separated:', validate: validateHostList }, context);
    answers.targets = splitHosts(list);
  }
  if (need.has('web')) {
    answers.web = (await input({ message: 'Web host (HAProxy front door, port 9940):', validate: hostQuestion('the web host') }, context)).trim();
  }
  const sameAs = known.web ?? answers.web;
  if (need.has('app')) {
    answers.app = (
      await input({ message: 'App host (Pyroscope, Tempo, Grafana):', default: sameAs, validate: hostQuestion('the app host') }, context)
    ).trim();
  }
  if (need.has('db')) {
    answers.db = (
      await input({ message: 'DB host (MinIO):', default: known.app ?? answers.app, validate: hostQuestion('the db host') }, context)
    ).trim();
  }
  if (need.has('sshUser')) {
    answers.sshUser = (
      await input(
        {
          message: 'SSH user:',
          default: userInfo().username,
          validate: (v) => (/^[a-z_][a-z0-9_.-]{0,31}$/i.test(v.trim()) ? true : 'not a valid user name'),
        },
        context,
      )
    ).trim();
  }
  if (need.has('sshAuth')) {
    const method = await select(
      {
        message: 'How should heal-pyroscope authenticate?',
        choices: [
          { name: 'a private key file', value: 'key' },
          { name: 'the SSH agent (SSH_AUTH_SOCK)', value: 'agent', disabled: process.env.SSH_AUTH_SOCK ? false : '(no agent running)' },
        ],
      },
      context,
    );
    if (method === 'agent') answers.agent = true;
    else {
      const guess = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).find((f) => existsSync(f));
      answers.identityFile = (
        await input(
          {
            message: 'Private key file:',
            default: guess,
            validate: (v) => (existsSync(v.replace(/^~(?=\/)/, homedir())) ? true : `no file at ${v}`),
          },
          context,
        )
      ).trim();
    }
  }
  return answers;
}

export async function confirmSave(path: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `Save these answers to ${path} for next time?`, default: true }, context);
}
