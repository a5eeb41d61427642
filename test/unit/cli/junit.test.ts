import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/checks/check.js';
import { summarize } from '../../../src/checks/run-checks.js';
import type { GuardFinding } from '../../../src/guard/evaluate.js';
import { toJUnit } from '../../../src/console/junit.js';

const check = (host: string, id: string, summary: string, status: CheckResult['status'] = 'pass'): CheckResult => ({
  id,
  title: id,
  host,
  status,
  summary,
  evidence: [],
});
const unescape = (s: string) =>
  s
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
const names = (xml: string) =>
  [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => unescape(`${m[1]} ${m[2]}`));

describe('JUnit test names', () => {
  it('stay the same when what a check found changes', () => {
    const monday = summarize(
      'staging',
      [],
      [
        check('app-01', 'resources.memory', '3120 MiB available (needs 2048)'),
        check('app-01', 'clock.skew', '0.4 s skew'),
      ],
    );
    const tuesday = summarize(
      'staging',
      [],
      [
        check('app-01', 'resources.memory', '812 MiB available of the 2048 MiB needed', 'warn'),
        check('app-01', 'clock.skew', '7.9 s skew', 'warn'),
      ],
    );
    expect(names(toJUnit(tuesday))).toEqual(names(toJUnit(monday)));
    expect(names(toJUnit(monday))).toEqual(['preflight.app-01 resources.memory', 'preflight.app-01 clock.skew']);
  });

  it('name a flow by its source, destination and port, whatever its state', () => {
    const open = summarize('staging', [], [check('web-01', 'flows.open', 'web-01 -> app-01:4317 open')]);
    const filtered = summarize(
      'staging',
      [],
      [check('web-01', 'flows.open', 'web-01 -> app-01:4317 filtered (timed out)', 'fail')],
    );
    const untested = summarize(
      'staging',
      [],
      [check('web-01', 'flows.open', 'web-01 -> app-01:4317: not tested (the test listener exited early)', 'warn')],
    );
    for (const report of [open, filtered, untested])
      expect(names(toJUnit(report))).toEqual(['preflight.web-01 flows.open web-01 -> app-01:4317']);
  });

  it('keep what was found in the body', () => {
    const xml = toJUnit(
      summarize(
        'staging',
        [],
        [check('db-01', 'resources.disk', '3.1 GiB free on /, below the 10 GiB minimum', 'fail')],
      ),
    );
    expect(xml).toContain('<failure message="3.1 GiB free on /, below the 10 GiB minimum">');
  });

  it('number a second case of the same name in one suite', () => {
    const report = summarize('staging', [], [check('app-01', 'x.y', 'first'), check('app-01', 'x.y', 'second')]);
    expect(names(toJUnit(report))).toEqual(['preflight.app-01 x.y', 'preflight.app-01 x.y #2']);
  });

  it('name a guard finding by host, rule and pattern', () => {
    const findings: GuardFinding[] = [
      {
        host: 'app-01',
        rule: 'hostnamePatterns',
        pattern: 'production',
        evidence: 'hostname production-app',
        source: 'hostname',
      },
      {
        host: 'app-01',
        rule: 'hostnamePatterns',
        pattern: 'production',
        evidence: 'FQDN production-app.example.org',
        source: 'FQDN',
      },
    ];
    expect(names(toJUnit(summarize('staging', findings, [])))).toEqual([
      'preflight.guard app-01: hostnamePatterns production',
      'preflight.guard app-01: hostnamePatterns production #2',
    ]);
  });
});
