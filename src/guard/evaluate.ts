// The production guard's decision: pure evaluation of rules against evidence from every host and
// the declared environment. Any finding aborts before anything changes (exit code 3). Every value
// (the declared environment, each host name, each variable's and label's value) is judged by the
// one word rule (words.ts); the config's patterns add matches to it, they never take one away.
import type { HostEvidence } from './evidence.js';
import { BUILT_IN_MARKER_FILES, isGuardLabelKey, isGuardVariable, type GuardRules } from './rules.js';
import { normaliseValue, productionWord } from './words.js';

export interface GuardFinding {
  /** Host display name, or `config` for the declared environment. */
  host: string;
  rule: keyof GuardRules | 'environment' | 'unreadable';
  /** What matched: {@link PRODUCTION_WORD_RULE}, a pattern from the config, or a marker file or label entry. */
  pattern: string;
  /** What was seen, e.g. `hostname prod-app-01`. */
  evidence: string;
  /** Where it was seen: `kernel hostname`, `/etc/profile.d/env.sh:3`, `engine label`, `config hosts.app[0].name`. */
  source: string;
  /** The value judged (absent for a marker file or what could not be read). */
  value?: string;
  /** The word that matched: a production word (`prod`), or the text a configured pattern matched. */
  word?: string;
}

/** A finding's `pattern` when the built-in word rule matched. */
export const PRODUCTION_WORD_RULE = 'production word';

export interface ValueMatch {
  pattern: string;
  word: string;
}

/**
 * Why a value looks like production: a production word in it, else the first of the config's
 * patterns that matches it (as written or normalised); undefined when neither does.
 */
export function judgeValue(value: string | undefined, patterns: readonly string[] = []): ValueMatch | undefined {
  if (value === undefined || value === '') return undefined;
  const found = productionWord(value);
  if (found !== null) return { pattern: PRODUCTION_WORD_RULE, word: found.word };
  const normalised = normaliseValue(value);
  for (const p of patterns) {
    const re = new RegExp(p, 'i');
    const m = re.exec(value) ?? re.exec(normalised);
    if (m !== null) return { pattern: p, word: m[0] };
  }
  return undefined;
}

export function evaluateDeclared(rules: GuardRules, environment: string): GuardFinding[] {
  const hit = judgeValue(environment, rules.environmentPatterns);
  return hit === undefined
    ? []
    : [
        {
          host: 'config',
          rule: 'environment',
          ...hit,
          source: 'config environment',
          value: environment,
          evidence: `declared environment "${environment}"`,
        },
      ];
}

/** A name the operator wrote for a host (config `name`, address or ssh alias, ssh_config HostName). */
export interface WrittenName {
  host: string;
  /** `config hosts.app[0].name`, `ssh_config HostName of app-db`. */
  source: string;
  value: string;
}

export function evaluateNames(rules: GuardRules, names: readonly WrittenName[]): GuardFinding[] {
  return names.flatMap((n) => {
    const hit = judgeValue(n.value, rules.hostnamePatterns);
    return hit === undefined
      ? []
      : [
          {
            host: n.host,
            rule: 'hostnamePatterns' as const,
            ...hit,
            source: n.source,
            value: n.value,
            evidence: `${n.source} ${n.value}`,
          },
        ];
  });
}

export function evaluateHost(rules: GuardRules, e: HostEvidence): GuardFinding[] {
  const findings: GuardFinding[] = e.unreadable.map((what) => ({
    host: e.host,
    rule: 'unreadable' as const,
    pattern: 'fail closed',
    source: what,
    evidence: `could not read ${what}`,
  }));
  // /etc/hostname is what the next boot will say; a host renamed only there is production too.
  const names = [
    ['hostname', e.hostname],
    ['FQDN', e.fqdn],
    ['/etc/hostname', e.configuredHostname === e.hostname ? undefined : e.configuredHostname],
  ] as const;
  for (const [what, name] of names) {
    const hit = judgeValue(name, rules.hostnamePatterns);
    if (hit !== undefined)
      findings.push({
        host: e.host,
        rule: 'hostnamePatterns',
        ...hit,
        source: what,
        value: name,
        evidence: `${what} ${name}`,
      });
  }
  for (const v of e.variables) {
    if (!isGuardVariable(v.name, rules.environmentVariables)) continue;
    const hit = judgeValue(v.value, rules.environmentPatterns);
    if (hit !== undefined) {
      findings.push({
        host: e.host,
        rule: 'environmentVariables',
        ...hit,
        source: v.source,
        value: v.value,
        evidence: `${v.source} ${v.name}=${v.value}`,
      });
    }
  }
  for (const marker of e.markerFiles) {
    if (rules.markerFiles.includes(marker) || (BUILT_IN_MARKER_FILES as readonly string[]).includes(marker))
      findings.push({
        host: e.host,
        rule: 'markerFiles',
        pattern: marker,
        source: marker,
        evidence: `file ${marker} exists`,
      });
  }
  for (const label of e.dockerLabels) {
    const hit = labelRule(rules, label);
    if (hit !== undefined)
      findings.push({
        host: e.host,
        rule: 'dockerLabels',
        ...hit,
        source: 'Docker engine label',
        value: label,
        evidence: `Docker engine label ${label}`,
      });
  }
  return findings;
}

/**
 * Why a `key=value` engine label marks production: a key that names an environment (built in, or
 * listed) whose value the word rule judges production, or an exact `key=value` entry.
 */
function labelRule(rules: GuardRules, label: string): { pattern: string; word?: string } | undefined {
  const at = label.indexOf('=');
  const key = at < 0 ? label : label.slice(0, at);
  const value = at < 0 ? '' : label.slice(at + 1);
  for (const rule of rules.dockerLabels) {
    if (rule.includes('=') && label.toLowerCase() === rule.toLowerCase()) return { pattern: rule };
  }
  const listed = rules.dockerLabels.some((r) => !r.includes('=') && r.toLowerCase() === key.toLowerCase());
  return listed || isGuardLabelKey(key) ? judgeValue(value, rules.environmentPatterns) : undefined;
}

export function evaluateGuard(
  rules: GuardRules,
  environment: string,
  evidence: readonly HostEvidence[],
  names: readonly WrittenName[] = [],
): GuardFinding[] {
  return [
    ...evaluateDeclared(rules, environment),
    ...evaluateNames(rules, names),
    ...evidence.flatMap((e) => evaluateHost(rules, e)),
  ];
}

/** One line of a refusal: the host, what was seen, the rule, and the word that matched. */
export function describeFinding(f: GuardFinding): string {
  if (f.rule === 'unreadable') return `${f.host}: ${f.evidence} (the guard refuses what it cannot read)`;
  const why =
    f.word === undefined
      ? f.pattern
      : f.pattern === PRODUCTION_WORD_RULE
        ? `the word "${f.word}"`
        : `/${f.pattern}/ matched "${f.word}"`;
  return `${f.host}: ${f.evidence} matches guard rule ${f.rule} (${why})`;
}
