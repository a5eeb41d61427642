// Air-gapped installs: `images save` on a machine that can pull writes one archive; `install
// --images-from` loads into each host only the images it runs, through its SSH connection.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive, savedImage, writeArchive } from '../../src/images/archive.js';
import { labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
// The lab keeps each host's /run under its state dir: web-01's engine socket, seen from here.
const webSocket = join(process.env.LAB_STATE_DIR ?? '/var/lib/hplab', 'hosts', 'web-01', 'run', 'docker.sock');

async function images(host: string): Promise<string[]> {
  const r = await labExec(host, ['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .sort();
}

describe.skipIf(skip)('image archive for air-gapped sites (lab)', () => {
  let topo: { dir: string; path: string };
  const archive = () => join(topo.dir, 'images.tar');
  const cli = (args: string[]) => runCli([...args, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  beforeAll(async () => {
    topo = labTopologyFile(requireLab());
    await resetLab({ images: true });
  });
  afterAll(async () => {
    await cli(['uninstall', '--config', topo.path, '--purge']);
    await resetLab({ images: true });
  });

  it('images save writes every pinned image into one archive', async () => {
    const r = await runCli(['--json', 'images', 'save', archive(), '--docker-socket', webSocket], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { images: string[]; size: number };
    expect(doc.images.sort()).toEqual([
      'grafana/grafana:12.2.1',
      'grafana/pyroscope:1.14.0',
      'grafana/tempo:2.8.1',
      'haproxy:3.2.4',
      'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z',
    ]);
    expect(doc.size).toBeGreaterThan(0);
    // Each image's ID is recorded, and is what its docker save tar holds under exactly its tag.
    const { manifest, entries } = await readArchive(archive());
    expect(Object.keys(manifest.ids ?? {}).sort()).toEqual(doc.images.sort());
    for (const [ref, name] of Object.entries(manifest.images)) {
      const saved = await savedImage(archive(), entries.get(name)!);
      expect(saved).toEqual({ tags: [ref], id: manifest.ids?.[ref] });
    }
  });

  it('install --images-from loads on each host only what it runs, pulling nothing', async () => {
    await resetLab({ images: true });
    const r = await cli(['--json', 'install', '--config', topo.path, '--images-from', archive(), '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { pulled: Array<{ machine: string; ref: string; from?: string }> };
    expect(doc.pulled.every((p) => p.from === 'archive')).toBe(true);
    expect(doc.pulled.map((p) => `${p.machine} ${p.ref}`).sort()).toEqual([
      'app-01 grafana/grafana:12.2.1',
      'app-01 grafana/pyroscope:1.14.0',
      'app-01 grafana/tempo:2.8.1',
      'db-01 quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z',
      'web-01 haproxy:3.2.4',
    ]);
    expect(await images('web-01')).toEqual(['haproxy:3.2.4']);
    expect(await images('db-01')).toEqual(['quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z']);
  });

  it('refuses an archive that lacks an image the hosts need, loading nothing', async () => {
    await cli(['uninstall', '--config', topo.path, '--purge']);
    await resetLab({ images: true });
    const fake = join(mkdtempSync(join(tmpdir(), 'hp-archive-')), 'one.tar');
    writeFileSync(`${fake}.img`, 'not really an image');
    await writeArchive(fake, [{ ref: 'haproxy:3.2.4', file: `${fake}.img` }]);
    const r = await cli(['install', '--config', topo.path, '--images-from', fake]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fake} lacks grafana/`);
    for (const host of ['web-01', 'app-01', 'db-01']) expect(await images(host), host).toEqual([]);
  });

  it('refuses a file that is not an archive before contacting any host', async () => {
    const r = await cli(['install', '--config', topo.path, '--images-from', topo.path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a heal-pyroscope image archive');
  });
});
