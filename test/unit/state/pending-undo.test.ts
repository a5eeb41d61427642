import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostUndo } from '../../../src/core/undo-step.js';
import {
  describeLeft,
  keepPendingUndo,
  leftByHost,
  loadPendingUndo,
  pendingUndoPath,
  savePendingUndo,
  unsafeStep,
} from '../../../src/state/pending-undo.js';

const statePath = () => join(mkdtempSync(join(tmpdir(), 'hp-pending-')), '.heal-pyroscope', 'lab.state.json');
const FAILED = new Date('2026-11-25T18:01:02.345Z');
const steps: HostUndo[] = [
  { host: 'db-01', kind: 'remove-container', id: 'c1', name: 'heal-pyroscope-minio' },
  { host: 'app-01', kind: 'remove-directories', paths: ['/opt/heal-pyroscope/app', '/opt/heal-pyroscope'] },
  { host: 'db-01', kind: 'remove-volume', name: 'heal-pyroscope-minio-data', run: 'run1' },
];

describe('pending undo: the file beside the state file', () => {
  it('lives beside the state file, named after the environment', () => {
    expect(pendingUndoPath('/x/.heal-pyroscope/lab.state.json')).toBe('/x/.heal-pyroscope/lab.pending-undo.json');
  });

  it("groups a run's failed steps by host, each host's in the order they were to run", () => {
    expect(leftByHost(FAILED, steps)).toEqual([
      {
        failedAt: '2026-11-25T18:01:02Z',
        command: 'install',
        host: 'db-01',
        steps: [
          { kind: 'remove-container', id: 'c1', name: 'heal-pyroscope-minio' },
          { kind: 'remove-volume', name: 'heal-pyroscope-minio-data', run: 'run1' },
        ],
      },
      {
        failedAt: '2026-11-25T18:01:02Z',
        command: 'install',
        host: 'app-01',
        steps: [{ kind: 'remove-directories', paths: ['/opt/heal-pyroscope/app', '/opt/heal-pyroscope'] }],
      },
    ]);
    expect(describeLeft(leftByHost(FAILED, steps)[0]!)).toBe(
      '2 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01',
    );
  });

  it('is written 0600 in a 0700 directory, whatever the umask, and read back', async () => {
    const path = pendingUndoPath(statePath());
    const old = process.umask(0o022);
    try {
      await keepPendingUndo(path, 'lab', FAILED, steps);
    } finally {
      process.umask(old);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 1, environment: 'lab' });
    expect(await loadPendingUndo(path)).toEqual(leftByHost(FAILED, steps));
  });

  it('adds a later failure after what an earlier one left', async () => {
    const path = pendingUndoPath(statePath());
    await keepPendingUndo(path, 'lab', FAILED, [steps[0]!]);
    await keepPendingUndo(path, 'lab', new Date('2026-11-25T19:00:00Z'), [steps[1]!]);
    expect((await loadPendingUndo(path)).map(describeLeft)).toEqual([
      '1 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01',
      '1 undo step(s) left by the failed install of 2026-11-25T19:00:00Z on app-01',
    ]);
  });

  it('is removed once nothing is left, and no file reads as nothing left', async () => {
    const path = pendingUndoPath(statePath());
    await keepPendingUndo(path, 'lab', FAILED, steps);
    await savePendingUndo(path, 'lab', []);
    expect(existsSync(path)).toBe(false);
    expect(await loadPendingUndo(path)).toEqual([]);
  });

  it('refuses a file that is not a pending-undo document, naming it', async () => {
    const path = pendingUndoPath(statePath());
    await keepPendingUndo(path, 'lab', FAILED, steps);
    writeFileSync(
      path,
      JSON.stringify({ version: 1, left: [{ host: 'db-01', failedAt: 'x', steps: [{ kind: 'rm -rf /' }] }] }),
    );
    await expect(loadPendingUndo(path)).rejects.toMatchObject({
      code: 'state.pending-undo',
      message: `the pending-undo file ${path} is not a heal-pyroscope pending-undo file (unexpected entry)`,
    });
  });
});

describe('pending undo: a file that names what is not ours', () => {
  const write = (path: string, step: unknown) => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        environment: 'lab',
        left: [{ failedAt: 'x', command: 'install', host: 'db-01', steps: [step] }],
      }),
      { mode: 0o600 },
    );
  };

  it.each([
    { kind: 'remove-file', path: '/etc/passwd' },
    { kind: 'remove-file', path: '/opt/heal-pyroscope/../../etc/shadow' },
    { kind: 'remove-file', path: 'opt/heal-pyroscope/x' },
    { kind: 'restore-file', path: '/opt/heal-pyroscope/app/a.yaml', backup: '/root/.ssh/authorized_keys' },
    { kind: 'remove-directories', paths: ['/opt/heal-pyroscope/app', '/home'] },
    { kind: 'remove-container', id: 'c1', name: 'postgres' },
    { kind: 'remove-volume', name: 'pgdata', run: 'r' },
    { kind: 'stop-container', name: 'nginx' },
    { kind: 'remove-network', id: '../x', name: 'heal-pyroscope' },
  ])('refuses $kind on $path$name$paths', async (step) => {
    const path = pendingUndoPath(statePath());
    write(path, step);
    await expect(loadPendingUndo(path)).rejects.toMatchObject({
      code: 'state.pending-undo',
      message: expect.stringMatching(/a step it names is not ours/),
    });
  });

  it('keeps what an install of ours leaves', () => {
    expect(steps.map(({ host: _h, ...s }) => unsafeStep(s as never))).toEqual([undefined, undefined, undefined]);
    expect(
      unsafeStep({
        kind: 'restore-file',
        path: '/opt/heal-pyroscope/app/t.yaml',
        backup: '/opt/heal-pyroscope/app/t.yaml.heal-rollback-r1',
      }),
    ).toBeUndefined();
  });

  it('refuses a pending-undo file open to others', async () => {
    const path = pendingUndoPath(statePath());
    write(path, steps[0]);
    chmodSync(path, 0o644);
    await expect(loadPendingUndo(path)).rejects.toMatchObject({ code: 'state.unsafe', exitCode: 2 });
  });
});
