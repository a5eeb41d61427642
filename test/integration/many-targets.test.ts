// Preflight with sixteen targets (LAB_TARGETS=15): every target's flow to web-01:9940 is tested
// against one shared test listener that counts each source, and --json/--verbose carry each
// phase's and each host's time. The lab goes back to its usual size afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/check.js';
import type { PhaseRecord } from '../../src/runner/phase.js';
import { runLabSh } from '../lab/lab-sh.js';
import { currentLab, labSkipReason, requireLab, type Lab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const TARGETS = 16;

function topologyFile(lab: Lab): string {
  return labTopologyFile(
    lab,
    '',
    lab.hosts.filter((h) => h.tier === 'target').map((h) => h.name),
  ).path;
}

describe.skipIf(skip)(`preflight of ${TARGETS} targets`, () => {
  let lab: Lab;

  beforeAll(async () => {
    requireLab();
    // reset: the lab at this size, without faults and with empty engines (a stack left running would hold 9000).
    const up = await runLabSh(['reset'], { LAB_TARGETS: String(TARGETS - 1) });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/lab up in [\d.]+s: \d+ hosts/);
    lab = currentLab();
  }, 180_000);
  afterAll(async () => {
    await runLabSh(['up'], { LAB_TARGETS: '0' });
  }, 180_000);

  it('tests every target flow to web-01:9940 with one listener that counts each source', async () => {
    const targets = lab.hosts.filter((h) => h.tier === 'target');
    expect(targets).toHaveLength(TARGETS);
    const r = await runCli(['--json', '--verbose', 'preflight', '--config', topologyFile(lab)], {
      env: { CI: 'true' },
    });
    const doc = JSON.parse(r.stdout) as { results: CheckResult[]; phases: PhaseRecord[] };
    expect(r.code, r.stderr).toBe(0);
    const flows = doc.results.filter((x) => x.id === 'flows.open' && x.summary.includes('-> web-01:9940'));
    expect(flows.map((f) => `${f.host} ${f.status}`).sort()).toEqual(targets.map((t) => `${t.name} pass`).sort());
    // One listener process for all sixteen sources: the same pid in every flow's evidence.
    const listeners = new Set(flows.map((f) => f.evidence[0]));
    expect(listeners.size).toBe(1);
    expect([...listeners][0]).toMatch(
      new RegExp(`^one test listener on web-01:9940 for ${TARGETS} sources \\(pid \\d+\\)$`),
    );
    for (const t of targets) {
      expect(flows.find((f) => f.host === t.name)?.evidence).toContain(
        `the test listener counted a connection from ${t.address}`,
      );
    }

    // Each phase's time, and each host's within it; --verbose prints the same.
    const connect = doc.phases.find((p) => p.id === 'connect');
    expect(Object.keys(connect?.hosts ?? {}).sort()).toEqual(
      [...targets.map((t) => t.name), 'web-01', 'app-01', 'db-01'].sort(),
    );
    for (const p of doc.phases) expect(p.ms, p.title).toBeGreaterThanOrEqual(0);
    const checks = doc.phases.find((p) => p.id === 'preflight')!;
    expect(Object.keys(checks.hosts ?? {})).toHaveLength(TARGETS + 3);
    expect(r.stderr).toMatch(new RegExp(`time: ${checks.title}: \\d+ ms \\(`));
  }, 120_000);
});
