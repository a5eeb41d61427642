// A failed install puts every host back as it was (issue 14, points 1 and 2): a port taken at
// container start leaves no /opt/heal-pyroscope and no volume the run created, while a volume that
// was there before survives; with db-01's engine lost right after MinIO started, the undo steps
// the rollback could not run are kept beside the state file, and once the engine is back the next
// uninstall finishes them first, leaving db-01 as it was.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { generateSecrets, saveState } from '../../src/state/state-file.js';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLabSh } from '../lab/lab-sh.js';
import { fault, labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const SERVERS = ['web-01', 'app-01', 'db-01'];
const LABEL = 'label=io.heal-pyroscope.product';

/** One host as a rollback must leave it: its containers, volumes and networks (ours by label, or by our name), and /opt. */
async function listing(host: string): Promise<Record<string, string>> {
  const run = async (argv: string[]) => {
    const r = await labExec(host, argv);
    return r.exitCode === 0
      ? r.stdout
          .trim()
          .split('\n')
          .filter((l) => l !== '')
          .sort()
          .join(' | ')
      : `(no answer: exit ${r.exitCode})`;
  };
  return {
    containers: await run(['docker', 'ps', '-a', '--filter', LABEL, '--format', '{{.Names}} {{.State}}']),
    volumes: await run([
      'sh',
      '-c',
      `docker volume ls -q --filter ${LABEL}; docker volume ls -q --filter name=heal-pyroscope`,
    ]),
    networks: await run([
      'sh',
      '-c',
      `docker network ls --format '{{.Name}}' --filter ${LABEL}; docker network ls --format '{{.Name}}' --filter name=heal-pyroscope`,
    ]),
    // Less /opt/containerd: containerd's own plugin directory, made when the lab restarts an engine.
    opt: await run(['sh', '-c', 'ls -A /opt | grep -vx containerd || true']),
  };
}

async function listings(): Promise<Record<string, Record<string, string>>> {
  return Object.fromEntries(await Promise.all(SERVERS.map(async (h) => [h, await listing(h)] as const)));
}

describe.skipIf(skip)('rollback leaves nothing behind (lab)', () => {
  let topo: { dir: string; path: string };
  const cli = (args: string[]) =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const pendingPath = () => join(topo.dir, '.heal-pyroscope', 'lab.pending-undo.json');

  beforeAll(() => {
    topo = labTopologyFile(requireLab());
  });
  beforeEach(async () => {
    await resetLab();
  });
  afterAll(async () => {
    await resetLab();
  });

  it('a port taken at container start leaves no /opt/heal-pyroscope and no volume the run created; a volume there before survives', async () => {
    await fault('occupy-port', 'app-01', 4040);
    // MinIO's data volume and the state file, as an earlier install and an uninstall without --purge
    // leave them (without the state file, install refuses new credentials over that volume).
    const statePath = join(topo.dir, '.heal-pyroscope', 'lab.state.json');
    await saveState(statePath, { version: 1, environment: 'lab', secrets: generateSecrets() });
    const created = await labExec('db-01', [
      'docker',
      'volume',
      'create',
      '--label',
      'io.heal-pyroscope.product=heal-pyroscope',
      '--label',
      'io.heal-pyroscope.component=minio',
      'heal-pyroscope-minio-data',
    ]);
    expect(created.exitCode, created.stderr).toBe(0);
    // A file in it, written from the host: the same volume, with its data, after the run.
    const mountpoint = (
      await labExec('db-01', [
        'docker',
        'volume',
        'inspect',
        '--format',
        '{{.Mountpoint}}',
        'heal-pyroscope-minio-data',
      ])
    ).stdout.trim();
    expect((await labExec('db-01', ['sh', '-c', 'echo earlier-data > "$1/marker"', 'sh', mountpoint])).exitCode).toBe(
      0,
    );
    const before = await listings();
    expect(before['db-01']!.volumes).toBe('heal-pyroscope-minio-data | heal-pyroscope-minio-data');

    const r = await cli(['install', '--ignore-check', 'ports.free', '--wait', '30']);
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(1);
    expect(r.stderr).toMatch(/port 4040 on app-01 is taken by/);
    // The run made them (and the rollback says it removed them): /opt/heal-pyroscope on each server, Pyroscope's volume.
    for (const host of SERVERS) expect(output).toMatch(new RegExp(`↺ remove .*/opt/heal-pyroscope\\b.* on ${host}`));
    expect(output).toContain('↺ remove volume heal-pyroscope-pyroscope-data on app-01');
    expect(output).not.toContain('rollback step(s) failed');

    expect(await listings()).toEqual(before);
    for (const host of SERVERS)
      expect((await labExec(host, ['test', '-e', '/opt/heal-pyroscope'])).exitCode, host).not.toBe(0);
    expect((await labExec('db-01', ['cat', `${mountpoint}/marker`])).stdout.trim()).toBe('earlier-data');
    expect(existsSync(pendingPath())).toBe(false);
    rmSync(statePath, { force: true });
  }, 180_000);

  it('refuses a network of its name that is not ours, and leaves it', async () => {
    expect((await labExec('db-01', ['docker', 'network', 'create', 'heal-pyroscope'])).exitCode).toBe(0);
    const before = await listings();
    const r = await cli(['install', '--wait', '30']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'network heal-pyroscope on db-01 exists but was not created by heal-pyroscope (no label io.heal-pyroscope.product=heal-pyroscope): not used, not removed',
    );
    expect(await listings()).toEqual(before);
  }, 180_000);

  /** An install whose db-01 engine goes away once MinIO runs: its output, the install having failed. */
  async function engineLostMidInstall(): Promise<string> {
    // Pyroscope cannot reach MinIO, so the run waits in the services phase (--wait 30) and then fails:
    // time enough to take db-01's engine away once MinIO runs, whatever else the run is doing then.
    await fault('drop-flow', 'app-01', 'db-01', 9000);
    const install = cli(['install', '--ignore-check', 'flows.open', '--wait', '30']);
    let r: Awaited<typeof install>;
    try {
      await waitFor(
        'MinIO to run on db-01',
        async () =>
          (
            await labExec('db-01', [
              'docker',
              'ps',
              '--filter',
              'name=heal-pyroscope-minio',
              '--filter',
              'status=running',
              '-q',
            ])
          ).stdout.trim() !== '',
        120_000,
        100,
      );
      // The engine goes away (stopped: a SIGKILL would leave its docker-proxy processes and NAT
      // rules behind in the shared lab); the rollback then cannot reach it.
      await fault('stop-docker', 'db-01');
    } finally {
      r = await install;
    }
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(1);
    return output;
  }

  it('keeps what a lost engine still holds, and the next uninstall, once the engine is back, finishes it first', async () => {
    const before = await listings();
    const output = await engineLostMidInstall();
    const failed =
      /(\d+) rollback step\(s\) failed; (\d+) kept in (\S+): the next `heal-pyroscope install` or `uninstall` finishes them first, once db-01 can be reached/.exec(
        output,
      );
    expect(failed, output).not.toBeNull();
    expect(failed![1], output).toBe(failed![2]);
    expect(failed![3]).toBe(pendingPath());

    // What could not be undone, as data: host, kinds, IDs; no secret from the state file.
    const kept = JSON.parse(readFileSync(pendingPath(), 'utf8')) as {
      left: Array<{ host: string; steps: Array<{ kind: string; name?: string }> }>;
    };
    expect(kept.left.map((l) => l.host)).toEqual(['db-01']);
    const steps = kept.left[0]!.steps;
    expect(steps.filter((s) => s.kind !== 'remove-image').map((s) => `${s.kind} ${s.name}`)).toEqual([
      'remove-container heal-pyroscope-minio',
      'remove-volume heal-pyroscope-minio-data',
      'remove-network heal-pyroscope',
    ]);
    // MinIO's image too, when this run pulled it.
    for (const image of steps.filter((s) => s.kind === 'remove-image'))
      expect(image).toEqual({ kind: 'remove-image', ref: 'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z' });
    // A failed run writes no state: the credentials it generated went with the rollback. None of
    // them is in the record either (generated secrets are 32 base64url characters; IDs are 64 hex).
    expect(existsSync(join(topo.dir, '.heal-pyroscope', 'lab.state.json'))).toBe(false);
    expect(readFileSync(pendingPath(), 'utf8')).not.toMatch(/(?<![\w-])[\w-]{32}(?![\w-])/);
    // What went over SSH alone is undone already; the other hosts are as before.
    expect((await listing('db-01')).opt).toBe(before['db-01']!.opt);
    expect((await listings())['app-01']).toEqual(before['app-01']);
    expect((await listings())['web-01']).toEqual(before['web-01']);

    // Still gone: uninstall says so, keeps the record, exits 1.
    const early = await cli(['uninstall']);
    expect(early.code).toBe(1);
    expect(`${early.stdout}\n${early.stderr}`).toMatch(
      /still left: \d+ undo step\(s\) left by the failed install of \S+ on db-01 \(Docker engine on db-01 is not running/,
    );
    expect(existsSync(pendingPath())).toBe(true);

    expect((await runLabSh(['up'])).exitCode).toBe(0);
    expect((await listings())['db-01']!.containers).toMatch(/heal-pyroscope-minio/);

    // A dry run shows the steps and does nothing.
    const plan = await cli(['uninstall', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`would first finish ${steps.length} undo step(s) left by the failed install of`);
    expect(plan.stdout).toMatch(/remove container heal-pyroscope-minio on db-01 \(left by the failed install of/);
    expect(existsSync(pendingPath())).toBe(true);
    expect((await listings())['db-01']!.containers).toMatch(/heal-pyroscope-minio/);

    const un = await cli(['uninstall']);
    expect(un.code, `${un.stdout}\n${un.stderr}`).toBe(0);
    expect(un.stdout).toMatch(
      new RegExp(
        `finishing ${steps.length} undo step\\(s\\) left by the failed install of \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ on db-01 first`,
      ),
    );
    expect(un.stdout).toContain(`finished ${steps.length} undo step(s) left by the failed install of`);
    expect(existsSync(pendingPath())).toBe(false);
    expect(await listings()).toEqual(before);
  }, 240_000);

  it('the next install, once the engine is back, finishes them first and then installs on a clean db-01', async () => {
    await engineLostMidInstall();
    const left = JSON.parse(readFileSync(pendingPath(), 'utf8')) as {
      left: Array<{ steps: Array<{ kind: string; id?: string }> }>;
    };
    const oldMinio = left.left[0]!.steps.find((s) => s.kind === 'remove-container')!.id!;
    expect((await runLabSh(['up'])).exitCode).toBe(0);

    const r = await cli(['install', '--wait', '60']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/finishing \d+ undo step\(s\) left by the failed install of \S+ on db-01 first/);
    expect(existsSync(pendingPath())).toBe(false);
    // The container the failed run left is gone; the one running is this install's.
    const minio = (
      await labExec('db-01', [
        'docker',
        'ps',
        '-a',
        '--no-trunc',
        '--filter',
        'name=heal-pyroscope-minio',
        '--format',
        '{{.ID}} {{.State}}',
      ])
    ).stdout.trim();
    expect(minio).toMatch(/^[0-9a-f]{64} running$/);
    expect(minio).not.toContain(oldMinio);
  }, 240_000);
});
