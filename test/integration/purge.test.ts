// Nothing left behind (lab): `uninstall --purge` removes the images the install pulled (or loaded
// from an archive) and no other, keeps one another container uses, and leaves no
// /opt/heal-pyroscope; an install that fails late on fresh hosts rolls back down to the directories
// it created.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';

const skip = labSkipReason();
// web-01's engine socket seen from here (the lab keeps each host's /run under its state dir).
const webSocket = join(process.env.LAB_STATE_DIR ?? '/var/lib/hplab', 'hosts', 'web-01', 'run', 'docker.sock');
const SERVERS = ['web-01', 'app-01', 'db-01'];
const GRAFANA = 'grafana/grafana:12.2.1';
const TEMPO = 'grafana/tempo:2.8.1';

interface ImageLine {
  machine: string;
  ref: string;
  reason?: string;
}
interface UninstallDoc {
  ok: boolean;
  images: {
    recorded: boolean;
    removed: ImageLine[];
    wouldRemove: ImageLine[];
    kept: ImageLine[];
    alreadyGone: ImageLine[];
    why?: string;
  };
}

async function images(host: string): Promise<string[]> {
  const r = await labExec(host, ['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .sort();
}

async function hasRoot(host: string): Promise<boolean> {
  return (await labExec(host, ['test', '-e', '/opt/heal-pyroscope'])).exitCode === 0;
}

describe.skipIf(skip !== undefined)('nothing left behind: uninstall --purge and rollback (lab)', () => {
  let topo: { dir: string; path: string };
  const cli = (args: string[]): Promise<RunResult> =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const doc = (r: RunResult) => JSON.parse(r.stdout) as UninstallDoc;
  const pulledRecord = () =>
    (
      JSON.parse(readFileSync(join(topo.dir, '.heal-pyroscope', 'lab.state.json'), 'utf8')) as {
        pulledImages?: Record<string, Array<{ ref: string }>>;
      }
    ).pulledImages;

  beforeAll(async () => {
    topo = labTopologyFile(requireLab());
    await resetLab({ images: true });
  });
  afterAll(async () => {
    await resetLab();
  });

  it('removes the images the install pulled and keeps one that was on the host before', async () => {
    const before = await labExec('app-01', ['docker', 'pull', GRAFANA], { timeoutMs: 60_000 });
    expect(before.exitCode, before.stderr).toBe(0);
    const installed = await cli(['--json', 'install', '--wait', '60']);
    expect(installed.code, installed.stderr).toBe(0);
    const pulled = (JSON.parse(installed.stdout) as { pulled: ImageLine[] }).pulled
      .map((p) => `${p.machine} ${p.ref}`)
      .sort();
    expect(pulled).toHaveLength(4);
    expect(pulled).not.toContain(`app-01 ${GRAFANA}`);
    expect(
      Object.entries(pulledRecord()!)
        .flatMap(([machine, list]) => list.map((p) => `${machine} ${p.ref}`))
        .sort(),
    ).toEqual(pulled);

    const dry = await cli(['--json', 'uninstall', '--purge', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(
      doc(dry)
        .images.wouldRemove.map((i) => `${i.machine} ${i.ref}`)
        .sort(),
    ).toEqual(pulled);
    expect(await images('web-01')).toEqual(['haproxy:3.2.4']);

    const purged = await cli(['--json', 'uninstall', '--purge']);
    expect(purged.code, purged.stderr).toBe(0);
    const report = doc(purged).images;
    expect(report.removed.map((i) => `${i.machine} ${i.ref}`).sort()).toEqual(pulled);
    expect(report.kept).toEqual([
      {
        machine: 'app-01',
        ref: GRAFANA,
        reason: 'not pulled by heal-pyroscope: it was on the host before the install',
      },
    ]);
    expect(await images('web-01')).toEqual([]);
    expect(await images('db-01')).toEqual([]);
    expect(await images('app-01')).toEqual([GRAFANA]);
    for (const host of SERVERS) expect(await hasRoot(host), host).toBe(false);
  });

  it('keeps an image a stopped container of someone else uses, and names that container', async () => {
    await resetLab({ images: true });
    const installed = await cli(['install', '--wait', '60']);
    expect(installed.code, installed.stderr).toBe(0);
    const created = await labExec('app-01', ['docker', 'create', '--name', 'foo', TEMPO]);
    expect(created.exitCode, created.stderr).toBe(0);
    const purged = await cli(['uninstall', '--purge']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stdout).toContain(`kept: app-01: image ${TEMPO} (used by container foo)`);
    expect(purged.stdout).toContain('removed: app-01: image grafana/pyroscope:1.14.0');
    expect(await images('app-01')).toEqual([TEMPO]);
  });

  it('without --purge keeps the pulled images and says so; a later --purge still knows they are ours', async () => {
    await resetLab({ images: true });
    expect((await cli(['install', '--wait', '60'])).code).toBe(0);
    const plain = await cli(['uninstall']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(
      'kept: web-01: image haproxy:3.2.4 (pulled by heal-pyroscope; removed with --purge)',
    );
    expect(await images('web-01')).toEqual(['haproxy:3.2.4']);
    const purged = await cli(['--json', 'uninstall', '--purge']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(doc(purged).images.removed.map((i) => i.ref)).toContain('haproxy:3.2.4');
    expect(await images('web-01')).toEqual([]);
  });

  it('removes the images an install loaded from an --images-from archive, as it does pulled ones', async () => {
    const archive = join(topo.dir, 'images.tar');
    const saved = await runCli(['--json', 'images', 'save', archive, '--docker-socket', webSocket], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(saved.code, saved.stderr).toBe(0);
    await resetLab({ images: true });
    const installed = await cli(['--json', 'install', '--images-from', archive, '--wait', '60']);
    expect(installed.code, installed.stderr).toBe(0);
    const loaded = (JSON.parse(installed.stdout) as { pulled: Array<ImageLine & { from?: string }> }).pulled;
    expect(loaded.length).toBe(5);
    expect(loaded.every((p) => p.from === 'archive')).toBe(true);
    const purged = await cli(['--json', 'uninstall', '--purge']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(
      doc(purged)
        .images.removed.map((i) => `${i.machine} ${i.ref}`)
        .sort(),
    ).toEqual(loaded.map((p) => `${p.machine} ${p.ref}`).sort());
    for (const host of SERVERS) expect(await images(host), host).toEqual([]);
  });

  it('removes no image when the state file predates the record of pulls, and says why', async () => {
    await resetLab({ images: true });
    expect((await cli(['install', '--wait', '60'])).code).toBe(0);
    const path = join(topo.dir, '.heal-pyroscope', 'lab.state.json');
    const state = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    delete state.pulledImages;
    writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
    const purged = await cli(['--json', 'uninstall', '--purge']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(doc(purged).images.recorded).toBe(false);
    expect(doc(purged).images.removed).toEqual([]);
    expect(doc(purged).images.why).toMatch(/no record of the images installs pulled/);
    expect(await images('web-01')).toEqual(['haproxy:3.2.4']);
  });

  it('a first install that fails late rolls back to no /opt/heal-pyroscope on any host, no pulled image and no state file', async () => {
    await resetLab({ images: true });
    rmSync(join(topo.dir, '.heal-pyroscope'), { recursive: true, force: true });
    for (const host of SERVERS) expect(await hasRoot(host), host).toBe(false);
    // Pyroscope cannot bind 4040: the services phase fails after every file was written.
    await fault('occupy-port', 'app-01', 4040);
    const r = await cli(['--json', 'install', '--ignore-check', 'ports.free', '--wait', '30']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as {
      error: { code: string };
      rolledBack: Array<{ description: string; ok: boolean }>;
    };
    expect(result.rolledBack.filter((u) => !u.ok)).toEqual([]);
    expect(result.rolledBack.map((u) => u.description).join('\n')).toMatch(/remove \/opt\/heal-pyroscope on app-01/);
    for (const host of SERVERS) {
      expect(await hasRoot(host), host).toBe(false);
      expect((await labExec(host, ['test', '-d', '/opt'])).exitCode, `${host} keeps its /opt`).toBe(0);
      expect(await images(host), host).toEqual([]);
    }
    // Nothing is left to record: a failed first install keeps no state file (StateStore.discard).
    expect(existsSync(join(topo.dir, '.heal-pyroscope', 'lab.state.json'))).toBe(false);
  });

  it('uninstall removes an empty /opt/heal-pyroscope that an older version left behind', async () => {
    await resetLab();
    await labExec('db-01', ['mkdir', '/opt/heal-pyroscope']);
    const r = await cli(['uninstall']);
    expect(r.code, r.stderr).toBe(0);
    expect(await hasRoot('db-01')).toBe(false);
  });
});
