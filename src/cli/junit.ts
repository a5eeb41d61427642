// JUnit XML for CI systems: one test suite per host, one test case per check result.
import type { PreflightReport } from '../checks/preflight.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function toJUnit(report: PreflightReport): string {
  const hosts = [...new Set(report.results.map((r) => r.host))];
  const suites = hosts.map((host) => {
    const results = report.results.filter((r) => r.host === host);
    const cases = results.map((r) => {
      const body = [r.summary, ...r.evidence, ...(r.remedy ? [`remedy: ${r.remedy}`] : [])].join('\n');
      const inner =
        r.status === 'fail'
          ? `<failure message="${esc(r.summary)}">${esc(body)}</failure>`
          : r.status === 'skip'
            ? `<skipped message="${esc(r.summary)}"/>`
            : r.status === 'warn'
              ? `<system-out>${esc(`WARNING: ${body}`)}</system-out>`
              : '';
      return `    <testcase classname="${esc(`preflight.${host}`)}" name="${esc(`${r.id}: ${r.summary}`)}">${inner}</testcase>`;
    });
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status === 'skip').length;
    return `  <testsuite name="${esc(host)}" tests="${results.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  if (report.guard.findings.length > 0) {
    const cases = report.guard.findings.map(
      (f) => `    <testcase classname="preflight.guard" name="${esc(`${f.host}: ${f.rule}`)}"><failure message="${esc(f.evidence)}">${esc(`${f.evidence} matches ${f.pattern}`)}</failure></testcase>`,
    );
    suites.unshift(`  <testsuite name="production-guard" tests="${cases.length}" failures="${cases.length}" skipped="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="heal-pyroscope preflight">\n${suites.join('\n')}\n</testsuites>\n`;
}
