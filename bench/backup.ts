// Backup and restore of a large volume: installs on the lab, writes BENCH_BACKUP_MB (default 300)
// MiB of random bytes into MinIO's volume through the engine, then times `backup` and, after
// `uninstall --purge`, `restore`: wall time, the volume's own throughput (bytes over the time its
// read or fill took), MinIO's pause, and the CLI's peak resident memory (GNU time), which stays flat
// whatever the volume's size because the archive is streamed. Needs root and the lab; resets the lab
// before and after.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, runCli, type CliRun } from './cli-run.js';
import { topology, type LabHost } from './preflight.js';

const labSh = fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url));
const labJson = fileURLToPath(new URL('../test/lab/.run/lab.json', import.meta.url));
const MIB = 1024 * 1024;

interface BackupDoc {
  bytes?: number;
  volumes?: Array<{ component: string; bytes: number; readMs: number; pausedMs: number }>;
}
interface RestoreDoc {
  volumes?: Array<{ component: string; bytes?: number; ms?: number }>;
}

const mibPerSecond = (bytes: number, ms: number | undefined) => (ms ? (bytes / MIB / (ms / 1000)).toFixed(1) : '?');
const peak = (r: CliRun) => (r.peakKb === undefined ? 'no /usr/bin/time' : (r.peakKb / 1024).toFixed(0));

export async function benchBackup(): Promise<Record<string, string>[]> {
  const mib = Number(process.env['BENCH_BACKUP_MB'] ?? 300);
  await execa('bash', [labSh, 'up']);
  await execa('bash', [labSh, 'reset']);
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-backup-'));
  try {
    const lab = JSON.parse(readFileSync(labJson, 'utf8')) as {
      keys: { root: string };
      knownHosts: string;
      hosts: LabHost[];
    };
    const config = join(dir, 'heal-pyroscope.yaml');
    writeFileSync(
      config,
      topology(
        lab.hosts.filter((h) => h.name === 'target-01'),
        lab,
      ),
    );
    const common = ['--config', config, '--yes'];
    const installed = await runCli(BIN, ['--json', 'install', ...common, '--wait', '60'], dir);
    if (installed.exit !== 0) throw new Error(`bench backup: install failed (exit ${installed.exit})`);
    await execa('bash', [
      labSh,
      'exec',
      'db-01',
      'sh',
      '-c',
      `docker exec heal-pyroscope-minio dd if=/dev/urandom of=/data/bench.bin bs=1048576 count=${mib} 2>/dev/null`,
    ]);
    const archive = join(dir, 'bench.backup.tar');
    const backup = await runCli(BIN, ['--json', 'backup', archive, ...common], dir);
    await runCli(BIN, ['uninstall', '--purge', ...common], dir);
    const restore = await runCli(BIN, ['--json', 'restore', archive, ...common, '--wait', '60'], dir);
    const b = backup.doc as BackupDoc;
    const r = restore.doc as RestoreDoc;
    const minioRead = b.volumes?.find((v) => v.component === 'minio');
    const minioFill = r.volumes?.find((v) => v.component === 'minio');
    const volume = `${mib} MiB of random bytes in MinIO's volume`;
    return [
      {
        bench: 'backup',
        case: volume,
        wall_ms: backup.ms.toFixed(0),
        archive_mib: b.bytes ? (b.bytes / MIB).toFixed(0) : '?',
        volume_mib_s: minioRead ? mibPerSecond(minioRead.bytes, minioRead.readMs) : '?',
        minio_paused_ms: String(minioRead?.pausedMs ?? '?'),
        peak_rss_mib: peak(backup),
        exit: String(backup.exit),
      },
      {
        bench: 'restore',
        case: volume,
        wall_ms: restore.ms.toFixed(0),
        archive_mib: b.bytes ? (b.bytes / MIB).toFixed(0) : '?',
        volume_mib_s: minioFill ? mibPerSecond(minioFill.bytes ?? 0, minioFill.ms) : '?',
        minio_paused_ms: '-',
        peak_rss_mib: peak(restore),
        exit: String(restore.exit),
      },
    ];
  } finally {
    await execa('bash', [labSh, 'reset']);
    rmSync(dir, { recursive: true, force: true });
  }
}
