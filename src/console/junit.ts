// JUnit XML for CI systems: one test suite per host, one test case per check result. Test names are
// stable from run to run (CI systems track a test's history by its name): a check's id and host, a
// flow's source -> destination:port; what was found goes into the case's body, never its name.
import type { PreflightReport } from '../checks/run-checks.js';
import type { CheckResult } from '../checks/check.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `flows.open web-01 -> app-01:4317` for a flow (its summary starts with the flow), `ports.free` for a check. */
export function testName(result: CheckResult): string {
  const flow = /^(\S+ -> \S+:\d+)/.exec(result.summary);
  return result.id.startsWith('flows.') && flow ? `${result.id} ${flow[1]}` : result.id;
}

/** Names made distinct within a suite: a second case of one name is numbered, in report order. */
function distinctNames(): (name: string) => string {
  const seen = new Map<string, number>();
  return (name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} #${n}`;
  };
}

export function toJUnit(report: PreflightReport): string {
  const hosts = [...new Set(report.results.map((r) => r.host))];
  const suites = hosts.map((host) => {
    const results = report.results.filter((r) => r.host === host);
    const distinct = distinctNames();
    const cases = results.map((r) => {
      const name = distinct(testName(r));
      const body = [r.summary, ...r.evidence, ...(r.remedy ? [`remedy: ${r.remedy}`] : [])].join('\n');
      const inner =
        r.status === 'fail'
          ? `<failure message="${esc(r.summary)}">${esc(body)}</failure>`
          : r.status === 'skip'
            ? `<skipped message="${esc(r.summary)}"/>`
            : r.status === 'warn'
              ? `<system-out>${esc(`WARNING: ${body}`)}</system-out>`
              : `<system-out>${esc(body)}</system-out>`;
      return `    <testcase classname="${esc(`preflight.${host}`)}" name="${esc(name)}">${inner}</testcase>`;
    });
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status === 'skip').length;
    return (
      `  <testsuite name="${esc(host)}" tests="${results.length}" failures="${failures}" ` +
      `skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`
    );
  });
  if (report.guard.findings.length > 0) {
    const distinct = distinctNames();
    const cases = report.guard.findings.map(
      (f) =>
        `    <testcase classname="preflight.guard" ` +
        `name="${esc(distinct(`${f.host}: ${f.rule} ${f.pattern}`))}"><failure ` +
        `message="${esc(f.evidence)}">${esc(`${f.evidence} matches ${f.pattern}`)}</failure></testcase>`,
    );
    suites.unshift(
      `  <testsuite name="production-guard" tests="${cases.length}" failures="${cases.length}" ` +
        `skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="heal-pyroscope ` +
    `preflight">\n${suites.join('\n')}\n</testsuites>\n`
  );
}
