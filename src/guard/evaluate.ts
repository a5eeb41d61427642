// The production guard's decision: pure evaluation of rules against evidence from every host and
// the declared environment. Any finding aborts before anything changes (exit code 3).
import type { HostEvidence } from './evidence.js';
import type { GuardRules } from './rules.js';

export interface GuardFinding {
  /** Host display name, or `config` for the declared environment. */
  host: string;
  rule: keyof GuardRules | 'environment';
  /** The pattern or entry of the rule that matched. */
  pattern: string;
  /** What was seen, e.g. `hostname prod-app-01`. */
  evidence: string;
}

const matches = (patterns: readonly string[], value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : patterns.find((p) => new RegExp(p, 'i').test(value));

export function evaluateDeclared(rules: GuardRules, environment: string): GuardFinding[] {
  const hit = matches(rules.environmentPatterns, environment);
  return hit === undefined ? [] : [{ host: 'config', rule: 'environment', pattern: hit, evidence: `declared environment "${environment}"` }];
}

export function evaluateHost(rules: GuardRules, e: HostEvidence): GuardFinding[] {
  const findings: GuardFinding[] = [];
  for (const [what, name] of [
    ['hostname', e.hostname],
    ['FQDN', e.fqdn],
  ] as const) {
    const hit = matches(rules.hostnamePatterns, name);
    if (hit !== undefined) findings.push({ host: e.host, rule: 'hostnamePatterns', pattern: hit, evidence: `${what} ${name}` });
  }
  for (const variable of rules.environmentVariables) {
    const value = e.environment[variable];
    const hit = matches(rules.environmentPatterns, value);
    if (hit !== undefined) {
      findings.push({ host: e.host, rule: 'environmentVariables', pattern: `${variable} ~ /${hit}/`, evidence: `/etc/environment ${variable}=${value}` });
    }
  }
  for (const marker of e.markerFiles) {
    if (rules.markerFiles.includes(marker)) findings.push({ host: e.host, rule: 'markerFiles', pattern: marker, evidence: `file ${marker} exists` });
  }
  for (const label of e.dockerLabels) {
    const hit = rules.dockerLabels.find((rule) => (rule.includes('=') ? label.toLowerCase() === rule.toLowerCase() : label.split('=')[0] === rule));
    if (hit !== undefined) findings.push({ host: e.host, rule: 'dockerLabels', pattern: hit, evidence: `Docker engine label ${label}` });
  }
  return findings;
}

export function evaluateGuard(rules: GuardRules, environment: string, evidence: readonly HostEvidence[]): GuardFinding[] {
  return [...evaluateDeclared(rules, environment), ...evidence.flatMap((e) => evaluateHost(rules, e))];
}

export function describeFinding(f: GuardFinding): string {
  return `${f.host}: ${f.evidence} matches guard rule ${f.rule} (${f.pattern})`;
}
