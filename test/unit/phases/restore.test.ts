// The restore's own phases on fake hosts: what it refuses before changing anything, the credentials
// it writes (and puts back on rollback), and where its steps sit in the install's list.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../../src/backup/format.js';
import { prerequisites } from '../../../src/runner/runner.js';
import {
  restoreCheckPhase,
  restorePhases,
  restoreStatePhase,
  type RestoreContext,
} from '../../../src/phases/restore/restore.js';
import { saveState, type InstallState } from '../../../src/state/state-file.js';
import { fakeStack, installContext, recordingIo, type FakeStack } from '../support/fake-stack.js';

const SECRETS: InstallState['secrets'] = {
  minioAccessKey: 'heal-backup',
  minioSecretKey: 'backup-secret',
  grafanaAdminUser: 'admin',
  grafanaAdminPassword: 'backup-pw',
};

function manifest(): BackupManifest {
  return {
    format: 'heal-pyroscope-backup/1',
    toolVersion: '0.1.0',
    createdAt: '2026-11-25T00:00:00.000Z',
    environment: 'lab',
    topology: { web: 'web-01', app: 'app-01', db: 'db-01', targets: [] },
    images: {},
    volumes: [
      {
        component: 'minio',
        machine: 'db-01',
        volume: 'heal-pyroscope-minio-data',
        path: '/data',
        image: 'm',
        pausedMs: 5,
      },
      {
        component: 'grafana',
        machine: 'app-01',
        volume: 'heal-pyroscope-grafana-data',
        path: '/var/lib/grafana',
        image: 'g',
        pausedMs: 5,
      },
    ],
    members: [],
  };
}

async function restoreContext(stack: FakeStack, force = false): Promise<RestoreContext> {
  const ctx = await installContext(stack);
  const backup = {
    path: '/backups/b.tar',
    bytes: 1,
    manifest: manifest(),
    state: { version: 1 as const, environment: 'lab', secrets: SECRETS },
  };
  return { ...ctx, restore: { backup, force, volumes: [], notes: [] } };
}

describe('restore check', () => {
  it('fills new volumes and empty ones, and says which is which', async () => {
    const stack = fakeStack();
    stack.app.engine.addVolume('heal-pyroscope-grafana-data');
    const ctx = await restoreContext(stack);
    expect(await restoreCheckPhase.run(ctx, recordingIo())).toBe(
      'db-01: heal-pyroscope-minio-data new, app-01: heal-pyroscope-grafana-data empty',
    );
    expect(ctx.restore.volumes.map((v) => `${v.volume} ${v.existed}`)).toEqual([
      'heal-pyroscope-minio-data false',
      'heal-pyroscope-grafana-data true',
    ]);
  });

  it('refuses a volume that holds data without --force, naming it, its host and its size', async () => {
    const stack = fakeStack();
    stack.db.engine.addVolume('heal-pyroscope-minio-data');
    stack.db.engine.volumeBytes.set('heal-pyroscope-minio-data', 3 * 1024 * 1024);
    const ctx = await restoreContext(stack);
    await expect(restoreCheckPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'restore.volume-has-data',
      message:
        'volume heal-pyroscope-minio-data on db-01 holds data (3.0 MiB): restore never overwrites it; nothing was changed',
    });
    expect(stack.db.engine.calls).toEqual([]);
  });

  it('treats a volume whose size the engine does not report as holding data', async () => {
    const stack = fakeStack();
    stack.db.engine.addVolume('heal-pyroscope-minio-data');
    stack.db.engine.volumeBytes.set('heal-pyroscope-minio-data', -1);
    await expect(restoreCheckPhase.run(await restoreContext(stack), recordingIo())).rejects.toThrow(
      'holds data (size unknown)',
    );
  });

  it('with --force, takes a volume that holds data (to be replaced)', async () => {
    const stack = fakeStack();
    stack.db.engine.addVolume('heal-pyroscope-minio-data');
    stack.db.engine.volumeBytes.set('heal-pyroscope-minio-data', 10);
    const ctx = await restoreContext(stack, true);
    expect(await restoreCheckPhase.run(ctx, recordingIo())).toContain(
      'heal-pyroscope-minio-data holds data (--force: replaced)',
    );
    expect(ctx.restore.volumes[0]).toMatchObject({ existed: true, previousBytes: 10 });
  });

  it('refuses, even with --force, while a container of ours exists (restore fills volumes before containers start)', async () => {
    const stack = fakeStack();
    stack.app.engine.addContainer('heal-pyroscope-grafana');
    await expect(restoreCheckPhase.run(await restoreContext(stack, true), recordingIo())).rejects.toMatchObject({
      code: 'restore.installed',
      message:
        'heal-pyroscope-grafana exists on app-01: restore fills the volumes before the containers start; nothing was changed',
    });
  });
});

describe('restore credentials', () => {
  it('writes only the backed-up credentials as the local state, and the rollback removes the file again', async () => {
    const stack = fakeStack();
    const ctx = await restoreContext(stack);
    const io = recordingIo();
    await restoreStatePhase.run(ctx, io);
    expect(JSON.parse(readFileSync(ctx.statePath, 'utf8'))).toEqual({
      version: 1,
      environment: 'lab',
      secrets: SECRETS,
    });
    await io.rollback();
    expect(existsSync(ctx.statePath)).toBe(false);
  });

  it('refuses a local state with other credentials without --force; with --force replaces it and puts it back on rollback', async () => {
    const stack = fakeStack();
    const other: InstallState = { version: 1, environment: 'lab', secrets: { ...SECRETS, minioSecretKey: 'other' } };
    await saveState(stack.statePath, other);
    await expect(restoreStatePhase.run(await restoreContext(stack), recordingIo())).rejects.toMatchObject({
      code: 'restore.state',
    });
    expect(JSON.parse(readFileSync(stack.statePath, 'utf8'))).toEqual(other);
    const io = recordingIo();
    await restoreStatePhase.run(await restoreContext(stack, true), io);
    expect(JSON.parse(readFileSync(stack.statePath, 'utf8')).secrets).toEqual(SECRETS);
    await io.rollback();
    expect(JSON.parse(readFileSync(stack.statePath, 'utf8'))).toEqual(other);
  });

  it('leaves a local state that already holds the same credentials as it is', async () => {
    const stack = fakeStack();
    const same: InstallState = { version: 1, environment: 'lab', secrets: SECRETS, installedAt: 'before' };
    await saveState(stack.statePath, same);
    const io = recordingIo();
    expect(await restoreStatePhase.run(await restoreContext(stack), io)).toContain(
      'already holds the backed-up credentials',
    );
    expect(io.changes()).toEqual([]);
  });
});

describe('restore phase list', () => {
  it("is the install's list with its own lock, the refusals before anything changes, the credentials before planning and the volumes before the containers", () => {
    const ids = restorePhases().map((p) => p.id);
    expect(ids.slice(0, 3)).toEqual(['connect', 'guard', 'lock']);
    expect(ids.slice(ids.indexOf('facts') - 2, ids.indexOf('facts') + 1)).toEqual([
      'restore-check',
      'restore-state',
      'facts',
    ]);
    expect(ids.indexOf('restore-volumes')).toBe(ids.indexOf('storage') - 1);
    expect(ids.indexOf('restore-volumes')).toBeGreaterThan(ids.indexOf('images'));
    expect(ids).toContain('verify');
  });

  it('fills the volumes after every image and file is there, and starts no container before that, though install runs those beside each other', () => {
    const list = restorePhases();
    const ids = list.map((p) => p.id);
    const needs = prerequisites(list).map((n) => n.map((i) => ids[i]));
    const fill = ids.indexOf('restore-volumes');
    expect(needs[fill]).toEqual(expect.arrayContaining(['images', 'configuration']));
    for (const id of ['storage', 'services', 'front-door', 'verify'])
      expect(needs[ids.indexOf(id)]).toContain('restore-volumes');
  });
});
