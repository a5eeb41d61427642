// The JSON contract against the lab: what preflight, status, install --dry-run and uninstall
// --dry-run print with --json on a clean lab, then install, status and uninstall of a real stack, is
// validated against schema/heal-pyroscope.schema.json; preflight's JUnit test names are the same
// from one run to the next.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { contractDocument } from '../support/json-contract.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();

const testNames = (xml: string) =>
  [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);

describe.skipIf(skip)('--json documents from the lab match the schema', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };
  const cli = (...args: string[]) =>
    runCli([...args, '--json', '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    topo = labTopologyFile(lab);
  });
  afterAll(async () => {
    await resetLab();
  });

  it('preflight on a clean lab, and its JUnit test names from two runs', async () => {
    const first = await cli('preflight', '--junit', join(topo.dir, 'first.xml'));
    expect(first.code, first.stderr).toBe(0);
    expect(contractDocument(first.stdout)).toMatchObject({
      schemaVersion: 1,
      command: 'preflight',
      ok: true,
      environment: 'lab',
    });
    const second = await cli('preflight', '--junit', join(topo.dir, 'second.xml'));
    contractDocument(second.stdout);
    const names = testNames(readFileSync(join(topo.dir, 'first.xml'), 'utf8'));
    expect(names).toContain('preflight.web-01 flows.open web-01 -&gt; app-01:4317');
    expect(names.every((n) => !/\d+ (MiB|GiB|s)\b/.test(n))).toBe(true);
    expect(testNames(readFileSync(join(topo.dir, 'second.xml'), 'utf8'))).toEqual(names);
  });

  it('status with nothing installed', async () => {
    const r = await cli('status');
    expect(r.code, r.stderr).toBe(1);
    const doc = contractDocument(r.stdout);
    expect(doc).toMatchObject({ command: 'status', ok: false });
    expect((doc.components as Array<{ present: boolean }>).every((c) => !c.present)).toBe(true);
  });

  it('install --dry-run', async () => {
    const r = await cli('install', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const doc = contractDocument(r.stdout);
    expect(doc).toMatchObject({ command: 'install', ok: true, dryRun: true, error: null });
    expect(doc.plan).not.toBeNull();
  });

  it('uninstall --dry-run', async () => {
    const r = await cli('uninstall', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(contractDocument(r.stdout)).toMatchObject({ command: 'uninstall', ok: true, dryRun: true, removed: [] });
  });

  it('install, status and uninstall of an installed stack', async () => {
    const install = await cli('install', '--wait', '90');
    expect(install.code, install.stderr).toBe(0);
    const installed = contractDocument(install.stdout);
    expect(installed).toMatchObject({ command: 'install', ok: true, dryRun: false, error: null });
    expect(installed.containers).not.toEqual([]);
    const status = await cli('status');
    expect(status.code, status.stderr).toBe(0);
    expect(contractDocument(status.stdout)).toMatchObject({ command: 'status', ok: true });
    const uninstall = await cli('uninstall');
    expect(uninstall.code, uninstall.stderr).toBe(0);
    const removed = contractDocument(uninstall.stdout);
    expect(removed).toMatchObject({ command: 'uninstall', ok: true, dryRun: false });
    expect(removed.removed).not.toEqual([]);
  }, 600_000);
});
