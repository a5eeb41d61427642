import { describe, expect, it } from 'vitest';
import { configurationPhase } from '../../../src/phases/install/configuration.js';
import { sha256 } from '../../../src/plan/container-spec.js';
import { remotePath } from '../../../src/plan/plan.js';
import type { RenderedFile } from '../../../src/render/rendered-file.js';
import { loadState, saveState } from '../../../src/state/state-file.js';
import { fakeStack, plannedInstall, recordingIo, type FakeStack } from '../support/fake-stack.js';

const USER = '/opt/heal-pyroscope/db/minio/root-user';
const PASSWORD = '/opt/heal-pyroscope/db/minio/root-password';

/** The db host already holds MinIO's files: the user file as rendered, the password file with other content. */
async function installedBefore(stack: FakeStack): Promise<void> {
  const first = await plannedInstall(stack);
  await saveState(stack.statePath, first.planned.state.current);
  const file = (path: string) => first.planned.stack.files.find((f) => remotePath(f) === path)!;
  const line = (f: RenderedFile, content: string) =>
    `${remotePath(f)}\t${sha256(content)}\t${f.mode.toString(8)} ${f.owner.uid} ${f.owner.gid}`;
  stack.db.onExec('sha256sum', {
    stdout: `${line(file(USER), file(USER).content)}\n${line(file(PASSWORD), 'an older password')}\n`,
  });
  stack.db.onExec('for d in', {
    stdout: '/opt\n/opt/heal-pyroscope\n/opt/heal-pyroscope/db\n/opt/heal-pyroscope/db/minio\n',
  });
}

describe('configuration phase', () => {
  it('saves the generated credentials locally, then writes every file with its mode and owner', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    expect(await loadState(stack.statePath)).toBeUndefined();
    expect(await configurationPhase.run(ctx, recordingIo())).toBe(`${ctx.planned.stack.files.length} file(s) written`);
    expect((await loadState(stack.statePath))?.secrets).toEqual(ctx.planned.state.current.secrets);
    for (const f of ctx.planned.stack.files) {
      expect(stack[f.tier].files.get(remotePath(f)), remotePath(f)).toEqual({
        remotePath: remotePath(f),
        content: f.content,
        mode: f.mode,
        owner: `${f.owner.uid}:${f.owner.gid}`,
      });
    }
  });

  it('creates the directories first and removes them on rollback, with the files it created', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    const io = recordingIo();
    await configurationPhase.run(ctx, io);
    expect(stack.db.ran('mkdir -p -m 755')).toEqual([
      ['mkdir', '-p', '-m', '755', '--', '/opt/heal-pyroscope/db/minio'],
    ]);
    await io.rollback();
    expect(
      stack.db
        .ran('rm -f --')
        .map((argv) => argv.at(-1))
        .sort(),
    ).toEqual([PASSWORD, USER]);
    expect(stack.db.ran('rmdir').map((argv) => argv.slice(4))).toEqual([
      ['/opt/heal-pyroscope/db/minio', '/opt/heal-pyroscope/db', '/opt/heal-pyroscope', '/opt'],
    ]);
  });

  it('fails only once every host has finished writing, so the rollback knows each file written', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    stack.app.upload = () => Promise.reject(new Error('app-01: the filesystem /opt is full'));
    const slow = stack.db.upload.bind(stack.db);
    stack.db.upload = async (spec) => {
      await new Promise((r) => setTimeout(r, 20));
      return slow(spec);
    };
    const io = recordingIo();
    await expect(configurationPhase.run(ctx, io)).rejects.toThrow(/filesystem \/opt is full/);
    expect(io.changes()).toEqual(expect.arrayContaining([`remove ${USER} on db-01`, `remove ${PASSWORD} on db-01`]));
    await io.rollback();
    expect(
      stack.db
        .ran('rm -f --')
        .map((argv) => argv.at(-1))
        .sort(),
    ).toEqual([PASSWORD, USER]);
  });

  it('writes only a file that changed, keeping a copy of the old one until the run succeeds', async () => {
    const stack = fakeStack();
    await installedBefore(stack);
    const ctx = await plannedInstall(stack);
    const io = recordingIo();
    await configurationPhase.run(ctx, io);
    expect([...stack.db.files.keys()]).toEqual([PASSWORD]);
    const backup = `${PASSWORD}.heal-rollback-run1`;
    expect(stack.db.ran('cp -p')).toEqual([['cp', '-p', '--', PASSWORD, backup]]);
    await io.succeed();
    expect(stack.db.ran('rm -f --')).toEqual([['rm', '-f', '--', backup]]);
  });

  it('puts the old file back on rollback', async () => {
    const stack = fakeStack();
    await installedBefore(stack);
    const ctx = await plannedInstall(stack);
    const io = recordingIo();
    await configurationPhase.run(ctx, io);
    await io.rollback();
    // Moved back only while the copy is there: a later run of the same undo finds it gone.
    expect(stack.db.ran('mv -f').map((argv) => argv.slice(-2))).toEqual([[`${PASSWORD}.heal-rollback-run1`, PASSWORD]]);
  });

  it('fails naming the host and the command output when a file cannot be kept aside', async () => {
    const stack = fakeStack();
    await installedBefore(stack);
    stack.db.onExec('cp -p', { code: 1, stderr: 'cp: cannot stat: Permission denied\n' });
    const ctx = await plannedInstall(stack);
    await expect(configurationPhase.run(ctx, recordingIo())).rejects.toMatchObject({
      code: 'install.files',
      message: `cannot keep a copy of ${PASSWORD} on db-01: cp: cannot stat: Permission denied`,
    });
  });
});
