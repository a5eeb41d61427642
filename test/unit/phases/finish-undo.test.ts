import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { volumeName } from '../../../src/plan/container-spec.js';
import { finishUndoPhase } from '../../../src/runner/finish-undo.js';
import { applyContainer } from '../../../src/phases/install/containers.js';
import type { PlannedInstall } from '../../../src/phases/install/context.js';
import type { Phase } from '../../../src/runner/phase.js';
import { runPhases } from '../../../src/runner/runner.js';
import type { UninstallContext } from '../../../src/phases/uninstall/uninstall-context.js';
import { keepPendingUndo, loadPendingUndo } from '../../../src/state/pending-undo.js';
import { saveState } from '../../../src/state/state-file.js';
import type { FakeEngine } from '../support/fake-engine.js';
import { fakeStack, plannedInstall, recordingIo, uninstallContext, type FakeStack } from '../support/fake-stack.js';

const MINIO = 'heal-pyroscope-minio';
const FAILED = new Date('2026-11-25T18:01:02Z');
const gone = () => new HealError({ code: 'docker.not-running', message: 'Docker engine on db-01 is not running' });

/** The engine stops answering calls that change it (a killed dockerd), until `back()`. */
function engineDown(engine: FakeEngine): { back(): void } {
  const methods = ['removeContainer', 'removeNetwork', 'removeVolume', 'listVolumes', 'stopContainer'] as const;
  for (const m of methods) (engine as unknown as Record<string, unknown>)[m] = () => Promise.reject(gone());
  return { back: () => methods.forEach((m) => delete (engine as unknown as Record<string, unknown>)[m]) };
}

/** An install that starts MinIO on db-01, then fails with db-01's engine gone: what it could not undo is kept. */
async function failedInstall(stack: FakeStack): Promise<{ back(): void }> {
  const first = await plannedInstall(stack);
  await saveState(stack.statePath, first.planned.state.current);
  const ctx = await plannedInstall(stack);
  stack.db.engine.addImage(ctx.planned.specs.find((s) => s.name === MINIO)!.image);
  let down: { back(): void } = { back: () => undefined };
  const storage: Phase<PlannedInstall> = {
    id: 'storage',
    title: 'storage',
    run: async (c, io) =>
      void (await applyContainer(
        c,
        c.planned.specs.find((s) => s.name === MINIO)!,
        io,
      )),
  };
  const killed: Phase<PlannedInstall> = {
    id: 'services',
    title: 'services',
    run: async () => {
      down = engineDown(stack.db.engine);
      throw new HealError({ code: 'install.unhealthy', message: 'pyroscope did not become healthy' });
    },
  };
  const result = await runPhases([storage, killed], ctx);
  expect(result.rolledBack.filter((r) => !r.ok).map((r) => r.description)).toEqual([
    `remove container ${MINIO} on db-01`,
    `remove volume ${volumeName('minio')} on db-01 (created by the failed run, no data of anyone's yet)`,
    'remove network heal-pyroscope on db-01',
  ]);
  await keepPendingUndo(ctx.undo.path, 'lab', FAILED, result.pendingUndo);
  return down;
}

async function withLeftOver(stack: FakeStack): Promise<UninstallContext> {
  const ctx = await uninstallContext(stack);
  ctx.undo.found = await loadPendingUndo(ctx.undo.path);
  return ctx;
}

describe('finishing what a failed install could not undo', () => {
  it('keeps the container, volume and network a lost engine still holds, in the order to undo them', async () => {
    const stack = fakeStack();
    await failedInstall(stack);
    const ctx = await withLeftOver(stack);
    expect(ctx.undo.found).toEqual([
      {
        failedAt: '2026-11-25T18:01:02Z',
        command: 'install',
        host: 'db-01',
        steps: [
          { kind: 'remove-container', id: stack.db.engine.container(MINIO)!.id, name: MINIO },
          { kind: 'remove-volume', name: volumeName('minio'), run: 'run1' },
          { kind: 'remove-network', id: stack.db.engine.networks[0]!.id, name: 'heal-pyroscope' },
        ],
      },
    ]);
  });

  it('finishes them once the engine is back, says so, and forgets them', async () => {
    const stack = fakeStack();
    (await failedInstall(stack)).back();
    const ctx = await withLeftOver(stack);
    const progress: string[] = [];
    const summary = await finishUndoPhase<UninstallContext>('reported').run(ctx, {
      ...recordingIo(),
      progress: (l) => progress.push(l),
    });
    expect(progress).toEqual(['finishing 3 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01']);
    expect(summary).toBe('finished 3 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01');
    expect(stack.db.engine.containers).toEqual([]);
    expect(stack.db.engine.volumes).toEqual([]);
    expect(stack.db.engine.networks).toEqual([]);
    expect(existsSync(ctx.undo.path)).toBe(false);
  });

  it('keeps them while the engine is still gone: uninstall says so and goes on, install stops', async () => {
    const stack = fakeStack();
    await failedInstall(stack);
    const ctx = await withLeftOver(stack);
    const outcome = await finishUndoPhase<UninstallContext>('reported').run(ctx, recordingIo());
    expect(outcome).toEqual({
      verdict: 'warn',
      summary:
        'still left: 3 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01 (Docker engine on db-01 is not running)',
    });
    expect(await loadPendingUndo(ctx.undo.path)).toEqual(ctx.undo.found);
    await expect(finishUndoPhase<UninstallContext>('fails').run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'undo.pending',
      message:
        '3 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01 could not run: Docker engine on db-01 is not running',
      hint: expect.stringContaining('run install again: it finishes them first'),
    });
    expect(stack.db.engine.container(MINIO)).toBeDefined();
  });

  it('keeps what is left after the first step that cannot run', async () => {
    const stack = fakeStack();
    const down = await failedInstall(stack);
    down.back();
    stack.db.engine.removeNetwork = () => Promise.reject(gone());
    const ctx = await withLeftOver(stack);
    await finishUndoPhase<UninstallContext>('reported').run(ctx, recordingIo());
    expect(stack.db.engine.containers).toEqual([]);
    expect(stack.db.engine.volumes).toEqual([]);
    expect((await loadPendingUndo(ctx.undo.path))[0]!.steps.map((s) => s.kind)).toEqual(['remove-network']);
  });

  it('keeps them for a host not reached', async () => {
    const stack = fakeStack();
    (await failedInstall(stack)).back();
    const ctx = await withLeftOver(stack);
    const db = ctx.hosts.hosts.find((h) => h.name === 'db-01')!;
    db.connection = undefined;
    db.connectError = new HealError({ code: 'ssh.connect', message: 'cannot connect to db-01: connection refused' });
    await finishUndoPhase<UninstallContext>('reported').run(ctx, recordingIo());
    expect(ctx.undo.left.map((l) => l.why)).toEqual([
      'db-01 was not reached: cannot connect to db-01: connection refused',
    ]);
    expect(stack.db.engine.containers).toHaveLength(1);
    expect(await loadPendingUndo(ctx.undo.path)).toHaveLength(1);
  });

  it('never removes a volume made again under the same name since the failure', async () => {
    const stack = fakeStack();
    (await failedInstall(stack)).back();
    const ctx = await withLeftOver(stack);
    await stack.db.engine.removeContainer(MINIO);
    await stack.db.engine.removeVolume(volumeName('minio'));
    stack.db.engine.addVolume(volumeName('minio'), { someone: 'else' });
    const summary = await finishUndoPhase<UninstallContext>('reported').run(ctx, recordingIo());
    expect(summary).toMatch(
      /refused: volume heal-pyroscope-minio-data on db-01 is not the one the failed run created \(made again since\): not removed, it may hold someone's data/,
    );
    expect(stack.db.engine.volumes.map((v) => v.name)).toEqual([volumeName('minio')]);
    expect(existsSync(ctx.undo.path)).toBe(false);
  });

  it('only lists them in a dry run', async () => {
    const stack = fakeStack();
    (await failedInstall(stack)).back();
    const ctx = await withLeftOver(stack);
    const result = await runPhases([finishUndoPhase<UninstallContext>('reported')], ctx, { dryRun: true });
    expect(result.phases[0]!.plan).toEqual([
      `remove container ${MINIO} on db-01 (left by the failed install of 2026-11-25T18:01:02Z)`,
      `remove volume ${volumeName('minio')} on db-01 (created by the failed run, no data of anyone's yet) (left by the failed install of 2026-11-25T18:01:02Z)`,
      'remove network heal-pyroscope on db-01 (left by the failed install of 2026-11-25T18:01:02Z)',
    ]);
    expect(stack.db.engine.containers).toHaveLength(1);
    expect(await loadPendingUndo(ctx.undo.path)).toHaveLength(1);
  });
});
