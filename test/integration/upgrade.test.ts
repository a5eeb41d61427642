// Upgrading one component against the lab: a new image for Pyroscope (`--image`, or a newer pin) is
// shown as `pyroscope 1.14.0 -> 1.15.0` by the dry run; install replaces only that container and
// keeps its data volume (a marker written into it survives); a new container that never becomes
// healthy (the lab-only tag 1.15.0-lab-never-ready) is rolled back: the old container, same ID,
// runs again with its data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';
import { labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';

const skip = labSkipReason();
const SERVERS = ['web-01', 'app-01', 'db-01'];
const PYROSCOPE = 'heal-pyroscope-pyroscope';

/** Every container on the server hosts: name -> ID, image and state. */
async function containers(): Promise<Record<string, { id: string; image: string; state: string }>> {
  const all: Record<string, { id: string; image: string; state: string }> = {};
  for (const host of SERVERS) {
    const r = await labExec(host, [
      'docker',
      'ps',
      '-a',
      '--no-trunc',
      '--format',
      '{{.Names}} {{.ID}} {{.Image}} {{.State}}',
    ]);
    for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) {
      const [name, id, image, state] = line.split(' ') as [string, string, string, string];
      all[name] = { id, image, state };
    }
  }
  return all;
}

const withoutPyroscope = (c: Awaited<ReturnType<typeof containers>>) =>
  Object.fromEntries(Object.entries(c).filter(([name]) => name !== PYROSCOPE));

async function writeMarker(text: string): Promise<void> {
  const r = await labExec('app-01', ['docker', 'exec', PYROSCOPE, 'sh', '-c', `echo ${text} > /data/upgrade-marker`]);
  expect(r.exitCode, r.stderr).toBe(0);
}

async function marker(): Promise<string> {
  const r = await labExec('app-01', ['docker', 'exec', PYROSCOPE, 'cat', '/data/upgrade-marker']);
  return r.exitCode === 0 ? r.stdout.trim() : `(no marker: ${r.stderr.trim()})`;
}

describe.skipIf(skip !== undefined)('upgrading one component (lab)', () => {
  const lab = skip === undefined ? requireLab() : (undefined as never);
  const topo = skip === undefined ? labTopologyFile(lab) : (undefined as never);
  const cli = (args: string[]): Promise<RunResult> =>
    runCli([...args, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const run = `m${Date.now().toString(36)}`;

  /** The stack as pinned (Pyroscope 1.14.0), healthy: a no-op when it already is. */
  async function installedAsPinned(): Promise<void> {
    const r = await cli(['install', '--wait', '60']);
    expect(r.code, `setup install failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
    expect((await containers())[PYROSCOPE]?.image).toBe('grafana/pyroscope:1.14.0');
  }

  beforeAll(async () => {
    await resetLab();
  });
  afterAll(async () => {
    await resetLab();
    // The extra tags this file pulled; the pinned images stay for the other files.
    await labExec('app-01', [
      'docker',
      'rmi',
      '-f',
      'grafana/pyroscope:1.15.0',
      'grafana/pyroscope:1.15.0-lab-never-ready',
    ]);
  });

  it('shows the upgrade in the dry run, replaces only the Pyroscope container and keeps its volume', async () => {
    await installedAsPinned();
    await writeMarker(`${run}-upgrade`);
    const before = await containers();

    const dry = await cli(['install', '--dry-run', '--image', 'pyroscope=grafana/pyroscope:1.15.0']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      'recreate heal-pyroscope-pyroscope (pyroscope 1.14.0 -> 1.15.0, data volume heal-pyroscope-pyroscope-data kept)',
    );
    expect(await containers()).toEqual(before);

    const r = await cli(['install', '--json', '--wait', '60', '--image', 'pyroscope=grafana/pyroscope:1.15.0']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      containers: Array<{ name: string; action: string }>;
      plan: { tiers: Array<{ containers: Array<{ name: string; upgrade?: unknown }> }> };
    };
    expect(doc.containers.filter((c) => c.action !== 'unchanged').map((c) => c.name)).toEqual([PYROSCOPE]);
    expect(doc.plan.tiers.flatMap((t) => t.containers).find((c) => c.name === PYROSCOPE)?.upgrade).toEqual({
      from: '1.14.0',
      to: '1.15.0',
    });

    const after = await containers();
    expect(after[PYROSCOPE]).toMatchObject({ image: 'grafana/pyroscope:1.15.0', state: 'running' });
    expect(after[PYROSCOPE]!.id).not.toBe(before[PYROSCOPE]!.id);
    // Every other container is the very same one; the replaced one is gone once the new one is healthy.
    expect(withoutPyroscope(after)).toEqual(withoutPyroscope(before));
    expect(await marker()).toBe(`${run}-upgrade`);
    const status = await cli(['status', '--image', 'pyroscope=grafana/pyroscope:1.15.0']);
    expect(status.code, status.stdout).toBe(0);
  }, 240_000);

  it('rolls back an upgrade whose new container never becomes healthy: the old one runs again, same ID, data kept', async () => {
    await installedAsPinned();
    await writeMarker(`${run}-rollback`);
    const before = await containers();

    const r = await cli(['install', '--wait', '5', '--image', 'pyroscope=grafana/pyroscope:1.15.0-lab-never-ready']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: heal-pyroscope-pyroscope on app-01 did not become healthy: http:\/\/\S+:4040\/ready did not answer 200 within 5s/,
    );
    expect(r.stderr).toContain('this lab-only tag never listens');
    expect(r.stdout + r.stderr).toMatch(/Rolling back \d+ change/);

    // The same containers as before, the old Pyroscope running under its own name; no new or kept-aside one left.
    expect(await containers()).toEqual(before);
    expect(await marker()).toBe(`${run}-rollback`);
    const status = await cli(['status']);
    expect(status.code, status.stdout).toBe(0);
  }, 240_000);
});
