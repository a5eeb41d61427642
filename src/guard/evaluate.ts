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
  return hit === undefined
    ? []
    : [{ host: 'config', rule: 'environment', pattern: hit, evidence: `declared environment "${environment}"` }];
}

export function evaluateHost(rules: GuardRules, e: HostEvidence): GuardFinding[] {
  const findings: GuardFinding[] = [];
  // /etc/hostname is what the next boot will say; a host renamed only there is production too.
  const names = [
    ['hostname', e.hostname],
    ['FQDN', e.fqdn],
    ['/etc/hostname', e.configuredHostname === e.hostname ? undefined : e.configuredHostname],
  ] as const;
  for (const [what, name] of names) {
    const hit = matches(rules.hostnamePatterns, name);
    if (hit !== undefined)
      findings.push({ host: e.host, rule: 'hostnamePatterns', pattern: hit, evidence: `${what} ${name}` });
  }
  for (const variable of rules.environmentVariables) {
    const value = e.environment[variable];
    const hit = matches(rules.environmentPatterns, value);
    if (hit !== undefined) {
      findings.push({
        host: e.host,
        rule: 'environmentVariables',
        pattern: `${variable} ~ /${hit}/`,
        evidence: `/etc/environment ${variable}=${value}`,
      });
    }
  }
  for (const marker of e.markerFiles) {
    if (rules.markerFiles.includes(marker))
      findings.push({ host: e.host, rule: 'markerFiles', pattern: marker, evidence: `file ${marker} exists` });
  }
  for (const label of e.dockerLabels) {
    const hit = labelRule(rules, label);
    if (hit !== undefined)
      findings.push({ host: e.host, rule: 'dockerLabels', pattern: hit, evidence: `Docker engine label ${label}` });
  }
  return findings;
}

/** The rule entry a `key=value` engine label matches: an exact entry, or a key whose value matches an environment pattern. */
function labelRule(rules: GuardRules, label: string): string | undefined {
  const at = label.indexOf('=');
  const key = (at < 0 ? label : label.slice(0, at)).toLowerCase();
  const value = at < 0 ? '' : label.slice(at + 1);
  for (const rule of rules.dockerLabels) {
    if (rule.includes('=')) {
      if (label.toLowerCase() === rule.toLowerCase()) return rule;
    } else if (key === rule.toLowerCase()) {
      const hit = matches(rules.environmentPatterns, value);
      if (hit !== undefined) return `${rule} ~ /${hit}/`;
    }
  }
  return undefined;
}

export function evaluateGuard(
  rules: GuardRules,
  environment: string,
  evidence: readonly HostEvidence[],
): GuardFinding[] {
  return [...evaluateDeclared(rules, environment), ...evidence.flatMap((e) => evaluateHost(rules, e))];
}

export function describeFinding(f: GuardFinding): string {
  return `${f.host}: ${f.evidence} matches guard rule ${f.rule} (${f.pattern})`;
}
