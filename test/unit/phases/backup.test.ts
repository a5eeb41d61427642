// The backup's volume phase on fake hosts: each running container is paused only around its own
// volume's read and unpaused even when the read fails; a stopped one is read without a pause; a
// component that is not installed is named.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupWriter } from '../../../src/backup/write.js';
import { backupVolumesPhase, type BackupContext } from '../../../src/phases/backup/backup.js';
import { Inventory } from '../../../src/hosts/inventory.js';
import { connectedInventory, fakeStack, recordingIo, topology, type FakeStack } from '../support/fake-stack.js';

async function volumeTar(top: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-backup-phase-'));
  mkdirSync(join(dir, top));
  writeFileSync(join(dir, top, 'marker'), `${top} marker\n`);
  await execa('tar', ['-cf', join(dir, 'v.tar'), '-C', dir, top]);
  return readFileSync(join(dir, 'v.tar'));
}

async function context(stack: FakeStack): Promise<BackupContext> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-backup-phase-'));
  return {
    topology: topology(),
    options: { forceUnlock: false },
    operator: 'tester@laptop',
    runId: 'run1',
    statePath: stack.statePath,
    installerVersion: '0.1.0',
    connect: stack.connect,
    hosts: await connectedInventory(stack, Inventory.of({ ...topology(), targets: [] })),
    writer: await BackupWriter.open(join(dir, 'b.tar')),
    report: { volumes: [], images: {} },
  };
}

describe('backup volumes phase', () => {
  it('pauses MinIO, then Grafana, each only around the read of its own volume', async () => {
    const stack = fakeStack();
    stack.db.engine.addContainer('heal-pyroscope-minio');
    stack.app.engine.addContainer('heal-pyroscope-grafana');
    stack.db.engine.archives.set('heal-pyroscope-minio:/data', await volumeTar('data'));
    stack.app.engine.archives.set('heal-pyroscope-grafana:/var/lib/grafana', await volumeTar('grafana'));
    const ctx = await context(stack);
    await backupVolumesPhase.run(ctx, recordingIo());
    expect(stack.db.engine.calls).toEqual([
      'pauseContainer heal-pyroscope-minio',
      'unpauseContainer heal-pyroscope-minio',
    ]);
    expect(stack.app.engine.calls).toEqual([
      'pauseContainer heal-pyroscope-grafana',
      'unpauseContainer heal-pyroscope-grafana',
    ]);
    expect(stack.db.engine.paused.size + stack.app.engine.paused.size).toBe(0);
    expect(ctx.report.volumes.map((v) => `${v.component} ${v.machine} ${v.volume} ${v.bytes}`)).toEqual([
      'minio db-01 heal-pyroscope-minio-data 12',
      'grafana app-01 heal-pyroscope-grafana-data 15',
    ]);
    await ctx.writer.abort();
  });

  it('unpauses the container when its volume cannot be read', async () => {
    const stack = fakeStack();
    stack.db.engine.addContainer('heal-pyroscope-minio');
    const ctx = await context(stack);
    await expect(backupVolumesPhase.run(ctx, recordingIo())).rejects.toThrow('Could not find the file /data');
    expect(stack.db.engine.calls).toEqual([
      'pauseContainer heal-pyroscope-minio',
      'unpauseContainer heal-pyroscope-minio',
    ]);
    expect(stack.db.engine.paused.size).toBe(0);
    await ctx.writer.abort();
  });

  it('reads a stopped container without pausing it, and reports no pause', async () => {
    const stack = fakeStack();
    stack.db.engine.addContainer('heal-pyroscope-minio', { running: false });
    stack.app.engine.addContainer('heal-pyroscope-grafana', { running: false });
    stack.db.engine.archives.set('heal-pyroscope-minio:/data', await volumeTar('data'));
    stack.app.engine.archives.set('heal-pyroscope-grafana:/var/lib/grafana', await volumeTar('grafana'));
    const ctx = await context(stack);
    await backupVolumesPhase.run(ctx, recordingIo());
    expect(stack.db.engine.calls).toEqual([]);
    expect(ctx.report.volumes.map((v) => v.pausedMs)).toEqual([0, 0]);
    await ctx.writer.abort();
  });

  it('names a component that is not installed', async () => {
    const stack = fakeStack();
    const ctx = await context(stack);
    await expect(backupVolumesPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'backup.not-installed',
      message: 'minio is not installed on db-01 (no container heal-pyroscope-minio): nothing to back up',
    });
    await ctx.writer.abort();
  });
});
