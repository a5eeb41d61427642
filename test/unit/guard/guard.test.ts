import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGuard, describeFinding, type GuardFinding } from '../../../src/guard/evaluate.js';
import { writtenNames } from '../../../src/checks/run-checks.js';
import {
  evidenceProbe,
  GUARD_END,
  parseProbeOutput,
  parseShellAssignments,
  parseSystemdDefaults,
  probeScript,
  type HostEvidence,
} from '../../../src/guard/evidence.js';
import { DEFAULT_GUARD_RULES as rules, isGuardVariable, withBuiltIns } from '../../../src/guard/rules.js';

const clean = (over: Partial<HostEvidence> = {}): HostEvidence => ({
  host: 'app-01',
  hostname: 'app-01',
  fqdn: 'app-01.staging.internal',
  variables: [],
  unreadable: [],
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
    const variables = [{ source: '/etc/environment:2', name: 'HEAL_ENV', value: 'production' }];
    const findings = evaluateGuard(rules, 'staging', [clean({ variables })]);
    expect(findings).toMatchObject([
      {
        rule: 'environmentVariables',
        source: '/etc/environment:2',
        value: 'production',
        evidence: '/etc/environment:2 HEAL_ENV=production',
        word: 'production',
      },
    ]);
  });

  it('ignores NODE_ENV=production, which staging hosts set', () => {
    const variables = ['NODE_ENV', 'RAILS_ENV', 'RACK_ENV'].map((name) => ({
      source: '/etc/environment:1',
      name,
      value: 'production',
    }));
    expect(evaluateGuard(rules, 'staging', [clean({ variables })])).toEqual([]);
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

  it.each(['tier=production', 'stage=prod', 'app.stage=live', 'DEPLOY_ENVIRONMENT=prd', 'com.example.env=prod'])(
    'reads the engine label %s: its key names an environment',
    (label) => {
      expect(evaluateGuard(rules, 'staging', [clean({ dockerLabels: [label] })])).toMatchObject([
        { rule: 'dockerLabels', source: 'Docker engine label', value: label },
      ]);
    },
  );

  it('adds label keys from the config and keeps an exact key=value entry exact', () => {
    const custom = { ...rules, dockerLabels: ['owner', 'tier=critical'] };
    expect(
      evaluateGuard(custom, 'staging', [clean({ dockerLabels: ['owner=live-team', 'environment=prod'] })]),
    ).toMatchObject([
      { rule: 'dockerLabels', word: 'live', evidence: 'Docker engine label owner=live-team' },
      { rule: 'dockerLabels', word: 'prod', evidence: 'Docker engine label environment=prod' },
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

  it('reads /etc/environment, /etc/profile.d and systemd defaults, each value with its file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-guard-'));
    try {
      mkdirSync(join(dir, 'profile.d'));
      mkdirSync(join(dir, 'system.conf.d'));
      writeFileSync(join(dir, 'hostname'), '  prod-app-01  \nsecond line\n');
      writeFileSync(
        join(dir, 'environment'),
        'PATH="/usr/bin"\n# comment\n\nexport HEAL_ENV=\'production\'\nLAST=no-newline',
      );
      writeFileSync(join(dir, 'profile.d', 'a.sh'), '# ops\nexport SERVICE_STAGE="prod" # ops\n');
      writeFileSync(join(dir, 'profile.d', 'b.txt'), 'APP_ENV=prod\n');
      writeFileSync(join(dir, 'system.conf'), '[Manager]\nDefaultEnvironment="DEPLOY_TARGET=live eu" X=1\n');
      writeFileSync(join(dir, 'system.conf.d', 'x.conf'), '--- markers\n/etc/production\n');
      const files = {
        etcHostname: join(dir, 'hostname'),
        variableFiles: [
          join(dir, 'environment'),
          join(dir, 'profile.d/*.sh'),
          join(dir, 'system.conf'),
          join(dir, 'system.conf.d/*.conf'),
        ],
        variableDirs: [join(dir, 'profile.d'), join(dir, 'system.conf.d')],
      };
      const r = await execa('sh', ['-c', probeScript(files), 'sh', '/etc/passwd', '/nonexistent/marker']);
      expect(r.stderr).toBe('');
      const e = parseProbeOutput(
        'local',
        r.stdout,
        [],
        r.exitCode === undefined ? { code: null, stderr: '' } : { code: r.exitCode, stderr: r.stderr },
      );
      expect(e).toMatchObject({
        hostname: hostname(),
        configuredHostname: 'prod-app-01',
        markerFiles: ['/etc/passwd'],
        unreadable: [],
      });
      expect(e.variables).toEqual([
        { source: `${dir}/environment:1`, name: 'PATH', value: '/usr/bin' },
        { source: `${dir}/environment:4`, name: 'HEAL_ENV', value: 'production' },
        { source: `${dir}/environment:5`, name: 'LAST', value: 'no-newline' },
        { source: `${dir}/profile.d/a.sh:2`, name: 'SERVICE_STAGE', value: 'prod' },
        { source: `${dir}/system.conf:2`, name: 'DEPLOY_TARGET', value: 'live eu' },
        { source: `${dir}/system.conf:2`, name: 'X', value: '1' },
      ]);
      // A file's text cannot forge the markers section.
      expect(e.markerFiles).not.toContain('/etc/production');
      // Missing files: nothing read, nothing missing.
      const none = {
        etcHostname: join(dir, 'none-1'),
        variableFiles: [join(dir, 'none-2')],
        variableDirs: [join(dir, 'none-3')],
      };
      const m = await execa('sh', ['-c', probeScript(none), 'sh']);
      expect(m.stderr).toBe('');
      expect(parseProbeOutput('local', m.stdout)).toMatchObject({
        configuredHostname: undefined,
        variables: [],
        unreadable: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a file or directory that exists but cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-guard-'));
    chmodSync(dir, 0o755);
    // Root reads everything: the probe runs as nobody, as a non-root SSH user's shell would.
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    try {
      mkdirSync(join(dir, 'locked'), { mode: 0o000 });
      writeFileSync(join(dir, 'environment'), 'A=1\n', { mode: 0o000 });
      const files = {
        etcHostname: join(dir, 'environment'),
        variableFiles: [join(dir, 'environment')],
        variableDirs: [join(dir, 'locked')],
      };
      const argv = [...asUser, 'sh', '-c', probeScript(files), 'sh', join(dir, 'locked', 'production')];
      const r = await execa(argv[0] ?? 'sh', argv.slice(1));
      expect(parseProbeOutput('local', r.stdout).unreadable.sort()).toEqual(
        [
          join(dir, 'environment'),
          join(dir, 'environment'),
          join(dir, 'locked'),
          join(dir, 'locked', 'production'),
        ].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails closed: a probe without its end line or with a failing exit is evidence missing', () => {
    const nologin = parseProbeOutput('app', '', [], { code: 1, stderr: 'This account is currently not available.\n' });
    expect(nologin.unreadable).toEqual([
      'the probe, which stopped before its end (exit status 1: This account is currently not available.)',
    ]);
    const cut = parseProbeOutput('app', 'hostname=app-01\n--- variables\n', [], { code: null, stderr: '' });
    expect(cut.unreadable).toEqual(['the probe, which stopped before its end (no exit status)']);
    const failed = parseProbeOutput('app', `hostname=app-01\n${GUARD_END}\n`, [], { code: 2, stderr: '' });
    expect(failed.unreadable).toEqual(['the probe (exit status 2)']);
    const [finding] = evaluateGuard(rules, 'staging', [{ ...nologin, host: 'app-01' }]);
    expect(finding).toMatchObject({ host: 'app-01', rule: 'unreadable' });
    expect(describeFinding(finding as GuardFinding)).toMatch(/^app-01: could not read the probe, which stopped/);
  });

  it('parses the probe output', () => {
    const out =
      'hostname=app-01\nfqdn=app-01.lab\netc-hostname=prod-app-01\n--- variables\n@ /etc/environment\n| PATH="/usr/bin"\n| export HEAL_ENV=\'staging\'\n| # c\n|\n! /etc/profile.d\n--- markers\n/etc/production\n' +
      `${GUARD_END}\n--- arch\nx86_64\n--- end\n`;
    expect(parseProbeOutput('app', out, ['env=qa'])).toEqual({
      host: 'app',
      hostname: 'app-01',
      fqdn: 'app-01.lab',
      configuredHostname: 'prod-app-01',
      variables: [
        { source: '/etc/environment:1', name: 'PATH', value: '/usr/bin' },
        { source: '/etc/environment:2', name: 'HEAL_ENV', value: 'staging' },
      ],
      markerFiles: ['/etc/production'],
      dockerLabels: ['env=qa'],
      unreadable: ['/etc/profile.d'],
    });
  });

  it('reads shell assignments as a login shell would for simple lines', () => {
    const found = parseShellAssignments(
      'f',
      'A=1\nB = "two words"\n garbage\nexport C=3; D=\'x y\' E=z # c\nreadonly F="p"#q',
    );
    expect(found.map((v) => [v.name, v.value, v.source])).toEqual([
      ['A', '1', 'f:1'],
      ['B', 'two words', 'f:2'],
      ['C', '3', 'f:4'],
      ['D', 'x y', 'f:4'],
      ['E', 'z', 'f:4'],
      ['F', 'p#q', 'f:5'],
    ]);
  });

  it("reads systemd's DefaultEnvironment= words", () => {
    expect(
      parseSystemdDefaults('s', '[Manager]\n#DefaultEnvironment=A=prod\nDefaultEnvironment=STAGE=live "B=c d"\n'),
    ).toEqual([
      { source: 's:3', name: 'STAGE', value: 'live' },
      { source: 's:3', name: 'B', value: 'c d' },
    ]);
  });
});

describe('what the guard reads', () => {
  it.each([
    ['ENVIRONMENT', true],
    ['Environment', true],
    ['APP_ENV', true],
    ['HEAL_ENV', true],
    ['SERVICE_STAGE', true],
    ['DEPLOY_ENVIRONMENT', true],
    ['DEPLOY_TARGET', true],
    ['deploy', true],
    ['NODE_ENV', false],
    ['RAILS_ENV', false],
    ['PATH', false],
    ['ENV_FILE', false],
  ] as const)('the variable %s: %s', (name, read) => {
    expect(isGuardVariable(name)).toBe(read);
  });

  it('adds variables named in the config, even a build mode', () => {
    expect(isGuardVariable('NODE_ENV', ['node_env'])).toBe(true);
    expect(isGuardVariable('OWNER', ['OWNER'])).toBe(true);
  });

  it('never loses a built-in marker file, whatever the config lists', () => {
    const merged = withBuiltIns({ markerFiles: ['/etc/ours'], environmentVariables: [] });
    expect(merged.markerFiles).toEqual(
      expect.arrayContaining(['/etc/production', '/etc/heal-pyroscope/production', '/etc/ours']),
    );
    const findings = evaluateGuard({ ...rules, markerFiles: [] }, 'staging', [
      clean({ markerFiles: ['/etc/production'] }),
    ]);
    expect(findings).toMatchObject([{ rule: 'markerFiles' }]);
  });

  it("judges the names the operator wrote: config name, address or alias, ssh_config's HostName", () => {
    const names = writtenNames([
      {
        name: 'db-01',
        entries: [
          {
            tier: 'db',
            name: 'db-01',
            host: 'db.prod.example.com',
            sshAlias: 'db',
            ssh: { agent: false, knownHostsFile: '' },
            dockerSocket: '',
          },
        ],
      },
      {
        name: 'live-target',
        entries: [
          {
            tier: 'target',
            name: 'live-target',
            host: '10.213.0.101',
            ssh: { agent: false, knownHostsFile: '' },
            dockerSocket: '',
          },
        ],
      },
    ]);
    const findings = evaluateGuard(rules, 'staging', [], names);
    expect(findings.map((f) => [f.host, f.source, f.value, f.word])).toEqual([
      ['db-01', 'ssh_config HostName of db', 'db.prod.example.com', 'prod'],
      ['live-target', 'config hosts.targets name', 'live-target', 'live'],
    ]);
  });
});
