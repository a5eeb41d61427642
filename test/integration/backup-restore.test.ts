// Backup and restore against the lab: markers written into MinIO's and Grafana's volumes survive
// backup, `uninstall --purge` and restore (status healthy after); a corrupted archive is refused
// with nothing changed on any engine; the archive is mode 0600 and never overwritten without
// --force; a volume that holds data is never overwritten without --force.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { contractDocument } from '../support/json-contract.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';

const skip = labSkipReason();
const SERVERS = ['web-01', 'app-01', 'db-01'];
const MINIO = { host: 'db-01', container: 'heal-pyroscope-minio', file: '/data/backup-marker.txt' };
const GRAFANA = { host: 'app-01', container: 'heal-pyroscope-grafana', file: '/var/lib/grafana/backup-marker.txt' };

function docker(host: string, argv: string[]): ReturnType<typeof labExec> {
  return labExec(host, ['docker', ...argv], { timeoutMs: 60_000 });
}

async function readMarker(where: typeof MINIO): Promise<string> {
  const r = await labExec(where.host, ['docker', 'exec', where.container, 'cat', where.file]);
  return r.stdout.trim();
}

/** What a restore could change on the engines and under /opt, per server host. */
async function engines(): Promise<string> {
  const lines: string[] = [];
  for (const host of SERVERS) {
    const ps = await docker(host, ['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
    const volumes = await docker(host, ['volume', 'ls', '--format', '{{.Name}}']);
    const opt = await labExec(host, ['sh', '-c', 'find /opt -maxdepth 3 2>/dev/null | sort']);
    lines.push(
      `${host} containers: ${ps.stdout.trim().split('\n').sort().join(', ')}`,
      `${host} volumes: ${volumes.stdout.trim().split('\n').sort().join(', ')}`,
      `${host} /opt: ${opt.stdout.trim()}`,
    );
  }
  return lines.join('\n');
}

describe.skipIf(skip !== undefined)('backup and restore (lab)', () => {
  let topo: { dir: string; path: string };
  let archive: string | undefined;
  const cli = (args: string[]): Promise<RunResult> =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const markers = { minio: `minio-marker-${process.pid}`, grafana: `grafana-marker-${process.pid}` };
  const statePath = () => join(topo.dir, '.heal-pyroscope', 'lab.state.json');

  /** Nothing installed: empty engines and /opt, no local state (as after `uninstall --purge`). */
  async function nothingInstalled(): Promise<void> {
    await resetLab();
    rmSync(join(topo.dir, '.heal-pyroscope'), { recursive: true, force: true });
  }

  /** Installs, writes the markers and backs up into a new file; returns the backup's JSON document. */
  async function installAndBackUp(): Promise<{ path: string; result: RunResult }> {
    await nothingInstalled();
    const installed = await cli(['install', '--wait', '60']);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    for (const [where, text] of [
      [MINIO, markers.minio],
      [GRAFANA, markers.grafana],
    ] as const) {
      const wrote = await labExec(where.host, [
        'docker',
        'exec',
        where.container,
        'sh',
        '-c',
        `printf '%s\\n' '${text}' > ${where.file}`,
      ]);
      expect(wrote.exitCode, wrote.stderr).toBe(0);
    }
    const path = join(mkdtempSync(join(topo.dir, 'backup-')), 'lab.backup.tar');
    const result = await cli(['--json', 'backup', path]);
    expect(result.code, result.stderr).toBe(0);
    archive = path;
    return { path, result };
  }

  /** The archive of an earlier case, or a new one (so any case runs alone with -t). */
  async function anArchive(): Promise<string> {
    return archive ?? (await installAndBackUp()).path;
  }

  beforeAll(() => {
    topo = labTopologyFile(requireLab());
  });
  afterAll(async () => {
    await resetLab();
  });

  it('writes a 0600 archive of both volumes, pausing each container only while it is read', async () => {
    const { path, result } = await installAndBackUp();
    const doc = contractDocument(result.stdout) as unknown as {
      volumes: Array<{ component: string; volume: string; bytes: number; pausedMs: number }>;
      members: Array<{ name: string; sha256: string }>;
    };
    expect(doc.volumes.map((v) => `${v.component} ${v.volume}`)).toEqual([
      'minio heal-pyroscope-minio-data',
      'grafana heal-pyroscope-grafana-data',
    ]);
    expect(doc.members.map((m) => m.name)).toEqual(['state', 'volumes/minio', 'volumes/grafana']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path).includes(markers.minio)).toBe(true);
    expect(readFileSync(path).includes(markers.grafana)).toBe(true);
    // Paused while read, running again after.
    for (const where of [MINIO, GRAFANA]) {
      const state = await docker(where.host, ['inspect', '-f', '{{.State.Status}}', where.container]);
      expect(state.stdout.trim()).toBe('running');
    }
    expect(result.stderr).toContain('Mode 0600: it holds the MinIO and Grafana credentials');
  });

  it('never replaces an existing archive without --force', async () => {
    const path = await anArchive();
    const before = readFileSync(path);
    const again = await cli(['backup', path]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; nothing was contacted');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a corrupted archive before contacting any host, with nothing changed', async () => {
    const path = await anArchive();
    await nothingInstalled();
    const bytes = readFileSync(path);
    const at = bytes.indexOf(markers.minio);
    expect(at).toBeGreaterThan(0);
    bytes[at] = bytes[at]! ^ 0x01;
    const corrupted = join(topo.dir, 'corrupted.tar');
    writeFileSync(corrupted, bytes, { mode: 0o600 });
    const before = await engines();
    const refused = await cli(['restore', corrupted]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('member volumes/minio does not match its sha256 checksum');
    expect(refused.stderr).toContain('nothing was changed');
    expect(await engines()).toBe(before);
    expect(existsSync(statePath())).toBe(false);
  });

  it('a restore that fails after filling the volumes rolls back: engines, /opt and the local state as before', async () => {
    const path = await anArchive();
    await nothingInstalled();
    // Grafana cannot bind its port: the restore fails after MinIO's and Grafana's volumes were filled.
    await fault('occupy-port', 'app-01', 3000);
    try {
      const before = await engines();
      const failed = await cli(['restore', path, '--ignore-check', 'ports.free', '--wait', '30']);
      expect(failed.code, failed.stderr).toBe(1);
      expect(failed.stderr).toMatch(/rolled back \d+ change/);
      expect(await engines()).toBe(before);
      expect(existsSync(statePath())).toBe(false);
    } finally {
      await resetLab();
    }
  });

  it('brings both markers back after uninstall --purge, and status is healthy', async () => {
    const path = await anArchive();
    const purged = await cli(['uninstall', '--purge']);
    expect(purged.code, purged.stderr).toBe(0);
    const restored = await cli(['--json', 'restore', path, '--wait', '60']);
    expect(restored.code, restored.stderr).toBe(0);
    const doc = contractDocument(restored.stdout) as unknown as {
      volumes: Array<{ volume: string; existed: boolean }>;
    };
    expect(doc.volumes.map((v) => `${v.volume} ${v.existed}`)).toEqual([
      'heal-pyroscope-minio-data false',
      'heal-pyroscope-grafana-data false',
    ]);
    expect(await readMarker(MINIO)).toBe(markers.minio);
    expect(await readMarker(GRAFANA)).toBe(markers.grafana);
    // Owners come back as they were: Grafana's files are 472's.
    const owner = await labExec(GRAFANA.host, ['docker', 'exec', GRAFANA.container, 'stat', '-c', '%u', GRAFANA.file]);
    expect(owner.stdout.trim()).toBe('472');
    // No helper container is left.
    const left = await docker('db-01', ['ps', '-a', '--format', '{{.Names}}']);
    expect(left.stdout.trim().split('\n')).toEqual(['heal-pyroscope-minio']);
    const status = await cli(['status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
  });

  it('never fills a volume that holds data without --force; with --force it does', async () => {
    const path = await anArchive();
    // Installed again from nothing (new credentials), then uninstalled: the volumes keep that install's data.
    await nothingInstalled();
    expect((await cli(['install', '--wait', '60'])).code).toBe(0);
    const other = await labExec(MINIO.host, [
      'docker',
      'exec',
      MINIO.container,
      'sh',
      '-c',
      `echo other-data > ${MINIO.file}`,
    ]);
    expect(other.exitCode, other.stderr).toBe(0);
    const uninstalled = await cli(['uninstall']);
    expect(uninstalled.code, uninstalled.stderr).toBe(0);
    const before = await engines();
    const refused = await cli(['restore', path]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /volume heal-pyroscope-minio-data on db-01 holds data \([^)]*\): restore never overwrites it/,
    );
    expect(await engines()).toBe(before);

    const forced = await cli(['restore', path, '--force', '--wait', '60']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readMarker(MINIO)).toBe(markers.minio);
    expect(await readMarker(GRAFANA)).toBe(markers.grafana);
  });
});
