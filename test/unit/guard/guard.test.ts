import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGuard, describeFinding } from '../../../src/guard/evaluate.js';
import {
  evidenceProbe,
  parseEnvironmentFile,
  parseProbeOutput,
  probeScript,
  type HostEvidence,
} from '../../../src/guard/evidence.js';
import { DEFAULT_GUARD_RULES as rules } from '../../../src/guard/rules.js';

const clean = (over: Partial<HostEvidence> = {}): HostEvidence => ({
  host: 'app-01',
  hostname: 'app-01',
  fqdn: 'app-01.staging.internal',
  environment: {},
  markerFiles: [],
  dockerLabels: [],
  ...over,
});

describe('production guard rules', () => {
  it('passes a staging topology', () => {
    expect(evaluateGuard(rules, 'staging', [clean(), clean({ host: 'db-01', hostname: 'db-01' })])).toEqual([]);
  });

  it.each(['prod-app-01', 'app-prod-01', 'app.prod.example', 'prd-db', 'production-web', 'web-live-2', 'PROD01'])(
    'flags hostname %s',
    (hostname) => {
      const [finding] = evaluateGuard(rules, 'staging', [clean({ hostname })]);
      expect(finding).toMatchObject({ host: 'app-01', rule: 'hostnamePatterns', evidence: `hostname ${hostname}` });
    },
  );

  it.each(['product-catalog-01', 'reproduce-01', 'delivery-01', 'olive-01', 'staging-app'])(
    'does not flag hostname %s',
    (hostname) => {
      expect(evaluateGuard(rules, 'staging', [clean({ hostname, fqdn: undefined })])).toEqual([]);
    },
  );

  it('flags an FQDN even when the short name is clean', () => {
    const findings = evaluateGuard(rules, 'staging', [clean({ fqdn: 'app-01.prod.example.com' })]);
    expect(findings.map(describeFinding)).toEqual([
      'app-01: FQDN app-01.prod.example.com matches guard rule hostnamePatterns (the word "prod")',
    ]);
  });

  it.each(['production', 'prod', 'PRD', 'live'])('refuses the declared environment %s', (env) => {
    expect(evaluateGuard(rules, env, [])).toMatchObject([
      { host: 'config', rule: 'environment', pattern: 'production word', word: env.toLowerCase() },
    ]);
  });

  it('reads environment markers from /etc/environment', () => {
    const findings = evaluateGuard(rules, 'staging', [clean({ environment: { HEAL_ENV: 'production' } })]);
    expect(findings).toMatchObject([
      { rule: 'environmentVariables', evidence: '/etc/environment HEAL_ENV=production', word: 'production' },
    ]);
  });

  it('ignores NODE_ENV=production, which staging hosts set', () => {
    expect(evaluateGuard(rules, 'staging', [clean({ environment: { NODE_ENV: 'production' } })])).toEqual([]);
  });

  it('flags a marker file and a Docker engine label', () => {
    const findings = evaluateGuard(rules, 'staging', [
      clean({ markerFiles: ['/etc/production'], dockerLabels: ['env=prod', 'team=a'] }),
    ]);
    expect(findings.map((f) => f.rule)).toEqual(['markerFiles', 'dockerLabels']);
  });

  it.each(['environment=prod', 'environment=live', 'ENV=Production', 'Environment=PRD'])(
    'flags the engine label %s by its value, with the production words',
    (label) => {
      const [finding] = evaluateGuard(rules, 'staging', [clean({ dockerLabels: [label] })]);
      expect(finding).toMatchObject({
        rule: 'dockerLabels',
        pattern: 'production word',
        evidence: `Docker engine label ${label}`,
      });
      expect(finding?.word).toMatch(/^(prod|live|production|prd)$/);
    },
  );

  it.each(['environment=staging', 'env=preprod', 'team=production', 'environment='])(
    'does not flag the engine label %s',
    (label) => {
      expect(evaluateGuard(rules, 'staging', [clean({ dockerLabels: [label] })])).toEqual([]);
    },
  );

  it('keeps the label keys configurable and an exact key=value entry exact', () => {
    const custom = { ...rules, dockerLabels: ['stage', 'tier=critical'] };
    expect(
      evaluateGuard(custom, 'staging', [clean({ dockerLabels: ['stage=live', 'environment=prod'] })]),
    ).toMatchObject([
      { rule: 'dockerLabels', pattern: 'production word', word: 'live', evidence: 'Docker engine label stage=live' },
    ]);
    expect(
      evaluateGuard(custom, 'staging', [clean({ dockerLabels: ['TIER=Critical', 'tier=critical-ish'] })]),
    ).toMatchObject([{ rule: 'dockerLabels', pattern: 'tier=critical' }]);
  });

  it('flags a production name in /etc/hostname that the kernel hostname does not carry', () => {
    const findings = evaluateGuard(rules, 'staging', [clean({ configuredHostname: 'prod-app-01' })]);
    expect(findings.map(describeFinding)).toEqual([
      'app-01: /etc/hostname prod-app-01 matches guard rule hostnamePatterns (the word "prod")',
    ]);
  });

  it('reports a production name once when /etc/hostname and the kernel agree', () => {
    const findings = evaluateGuard(rules, 'staging', [
      clean({ hostname: 'prod-app-01', configuredHostname: 'prod-app-01' }),
    ]);
    expect(findings.map((f) => f.evidence)).toEqual(['hostname prod-app-01']);
  });

  it("adds the config's patterns to the production words, which they cannot take away", () => {
    const custom = { ...rules, hostnamePatterns: ['^pci-'], environmentPatterns: ['^release$'] };
    // The word rule still refuses what no configured pattern names.
    expect(evaluateGuard(custom, 'staging', [clean({ hostname: 'app-live-1' })])).toMatchObject([
      { rule: 'hostnamePatterns', pattern: 'production word', word: 'live' },
    ]);
    const findings = evaluateGuard(custom, 'Release', [clean({ hostname: 'PCI-app-1', fqdn: undefined })]);
    expect(findings).toMatchObject([
      { host: 'config', rule: 'environment', pattern: '^release$', word: 'Release' },
      { rule: 'hostnamePatterns', pattern: '^pci-', word: 'PCI-' },
    ]);
    expect(findings.map(describeFinding)).toEqual([
      'config: declared environment "Release" matches guard rule environment (/^release$/ matched "Release")',
      'app-01: hostname PCI-app-1 matches guard rule hostnamePatterns (/^pci-/ matched "PCI-")',
    ]);
  });

  it('matches a configured pattern against the normalised value too', () => {
    const custom = { ...rules, hostnamePatterns: ['^pci-'] };
    expect(evaluateGuard(custom, 'staging', [clean({ hostname: 'ｐｃｉ-app-1', fqdn: undefined })])).toMatchObject([
      { rule: 'hostnamePatterns', pattern: '^pci-', word: 'pci-' },
    ]);
  });

  it('names no word for a marker file or an exact label entry', () => {
    const custom = { ...rules, dockerLabels: ['tier=critical'] };
    const findings = evaluateGuard(custom, 'staging', [
      clean({ markerFiles: ['/etc/production'], dockerLabels: ['tier=critical'] }),
    ]);
    expect(findings.map(describeFinding)).toEqual([
      'app-01: file /etc/production exists matches guard rule markerFiles (/etc/production)',
      'app-01: Docker engine label tier=critical matches guard rule dockerLabels (tier=critical)',
    ]);
    expect(findings.every((f) => f.word === undefined)).toBe(true);
  });
});

describe('guard evidence', () => {
  it('passes marker paths as arguments, never inside the script', () => {
    const argv = evidenceProbe(['/etc/it is $(danger)']);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).not.toContain('danger');
    expect(argv.slice(3)).toEqual(['sh', '/etc/it is $(danger)']);
    const combined = evidenceProbe(['/etc/it is $(danger)'], 'echo "--- facts"');
    expect(combined[2]).toMatch(/\necho "--- facts"$/);
    expect(combined[2]).not.toContain('danger');
  });

  it('runs as a real POSIX shell script', async () => {
    const [cmd, ...args] = evidenceProbe(['/etc/passwd', '/nonexistent/marker']);
    const { stdout } = await execa(cmd!, args);
    const evidence = parseProbeOutput('local', stdout);
    expect(evidence.hostname).toBe(hostname());
    expect(evidence.markerFiles).toEqual(['/etc/passwd']);
  });

  it("reads files with the shell's own read, as head and cat read them (a last line without a newline included)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-guard-'));
    const files = { etcHostname: join(dir, 'hostname'), environment: join(dir, 'environment') };
    writeFileSync(files.etcHostname, '  prod-app-01  \nsecond line\n');
    writeFileSync(
      files.environment,
      'PATH="/usr/bin"\n# comment\n\nexport HEAL_ENV=\'production\'\nBACKSLASH=a\\tb\nLAST=no-newline',
    );
    // What the probe printed with a process per file (hostname, head, cat), for the same files.
    const before = [
      'printf "hostname=%s\\n" "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"',
      'printf "fqdn=%s\\n" "$(hostname -f 2>/dev/null)"',
      `printf "etc-hostname=%s\\n" "$(head -n 1 '${files.etcHostname}' 2>/dev/null)"`,
      'echo "--- environment"',
      `cat '${files.environment}' 2>/dev/null`,
      'echo',
      'echo "--- markers"',
      'for f in "$@"; do if [ -e "$f" ]; then printf "%s\\n" "$f"; fi; done',
      'echo "--- end"',
    ].join('\n');
    const markers = ['/etc/passwd', '/nonexistent/marker'];
    const run = async (script: string) =>
      parseProbeOutput('local', (await execa('sh', ['-c', script, 'sh', ...markers])).stdout);
    const now = await run(probeScript(files));
    expect(now).toEqual(await run(before));
    expect(now).toMatchObject({
      hostname: hostname(),
      configuredHostname: 'prod-app-01',
      markerFiles: ['/etc/passwd'],
    });
    expect(now.environment).toEqual({
      PATH: '/usr/bin',
      HEAL_ENV: 'production',
      BACKSLASH: 'a\\tb',
      LAST: 'no-newline',
    });
    // Missing files: nothing read, nothing printed on stderr, as before.
    const missing = { etcHostname: join(dir, 'none-1'), environment: join(dir, 'none-2') };
    const r = await execa('sh', ['-c', probeScript(missing), 'sh']);
    expect(r.stderr).toBe('');
    expect(parseProbeOutput('local', r.stdout)).toMatchObject({ configuredHostname: undefined, environment: {} });
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses the probe output', () => {
    const out =
      'hostname=app-01\nfqdn=app-01.lab\netc-hostname=prod-app-01\n--- environment\nPATH="/usr/bin"\nexport HEAL_ENV=\'staging\'\n# c\n\n--- markers\n/etc/production\n--- end\n';
    expect(parseProbeOutput('app', out, ['env=qa'])).toEqual({
      host: 'app',
      hostname: 'app-01',
      fqdn: 'app-01.lab',
      configuredHostname: 'prod-app-01',
      environment: { PATH: '/usr/bin', HEAL_ENV: 'staging' },
      markerFiles: ['/etc/production'],
      dockerLabels: ['env=qa'],
    });
  });

  it('reads /etc/environment like pam_env does for simple lines', () => {
    expect(parseEnvironmentFile('A=1\nB = "two words"\n garbage\nexport C=3')).toEqual({
      A: '1',
      B: 'two words',
      C: '3',
    });
  });
});
