import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateSecrets,
  loadState,
  pulledImagesOn,
  saveState,
  withoutPulledImages,
  withPulledImages,
  type InstallState,
} from '../../../src/state/state-file.js';

const fresh = (): InstallState => ({ version: 1, environment: 'lab', secrets: generateSecrets() });
const image = (ref: string, id = 'sha256:abc') => ({ ref, id, from: 'registry' as const });

describe('state file: images installs pulled', () => {
  it('reads a state file written before pulls were recorded, and knows nothing about its images', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hp-state-')), 'lab.state.json');
    const old = {
      version: 1,
      environment: 'lab',
      secrets: generateSecrets(),
      installedAt: '2026-01-01T00:00:00.000Z',
      components: {},
    };
    writeFileSync(path, JSON.stringify(old), { mode: 0o600 });
    const state = await loadState(path);
    expect(state?.secrets).toEqual(old.secrets);
    expect(pulledImagesOn(state, 'app-01')).toBeUndefined();
  });

  it('tells "nothing pulled on this machine" apart from "nothing recorded"', () => {
    const state = withPulledImages(fresh(), 'db-01', [image('minio/minio:x')]);
    expect(pulledImagesOn(state, 'app-01')).toEqual([]);
    expect(pulledImagesOn(fresh(), 'app-01')).toBeUndefined();
    expect(pulledImagesOn(undefined, 'app-01')).toBeUndefined();
  });

  it('records pulls per machine and keeps them through a save and a load', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hp-state-')), 'lab.state.json');
    let state = withPulledImages(fresh(), 'app-01', [image('grafana/grafana:12.2.1'), image('grafana/tempo:2.8.1')]);
    state = withPulledImages(state, 'web-01', [image('haproxy:3.2.4')]);
    await saveState(path, state);
    const loaded = await loadState(path);
    expect(pulledImagesOn(loaded, 'app-01')!.map((p) => p.ref)).toEqual([
      'grafana/grafana:12.2.1',
      'grafana/tempo:2.8.1',
    ]);
    expect(pulledImagesOn(loaded, 'web-01')).toEqual([image('haproxy:3.2.4')]);
  });

  it('replaces the entry of an image pulled again, with its new ID', () => {
    let state = withPulledImages(fresh(), 'app-01', [image('grafana/grafana:12.2.1', 'sha256:old')]);
    state = withPulledImages(state, 'app-01', [image('grafana/grafana:12.2.1', 'sha256:new')]);
    expect(pulledImagesOn(state, 'app-01')).toEqual([image('grafana/grafana:12.2.1', 'sha256:new')]);
  });

  it('forgets removed images, and still knows that the rest of the machine holds none of ours', () => {
    let state = withPulledImages(fresh(), 'app-01', [image('a:1'), image('b:1')]);
    state = withoutPulledImages(state, 'app-01', ['a:1']);
    expect(pulledImagesOn(state, 'app-01')).toEqual([image('b:1')]);
    state = withoutPulledImages(state, 'app-01', ['b:1']);
    expect(pulledImagesOn(state, 'app-01')).toEqual([]);
    expect(state.pulledImages).toEqual({});
  });

  it('leaves a state without a record of pulls as it is when asked to forget one', () => {
    const state = fresh();
    expect(withoutPulledImages(state, 'app-01', ['a:1'])).toBe(state);
  });
});

describe('state file: the directory as ssh treats ~/.ssh', () => {
  const freshPath = () => join(mkdtempSync(join(tmpdir(), 'hp-state-')), '.heal-pyroscope', 'lab.state.json');
  const state = { version: 1 as const, environment: 'lab', secrets: generateSecrets() };

  it('refuses a state directory writable by others, naming the chmod, and writes nothing', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { mode: 0o700 });
    chmodSync(dirname(path), 0o777);
    await expect(saveState(path, state)).rejects.toMatchObject({
      code: 'state.unsafe',
      exitCode: 2,
      message: expect.stringContaining('is writable by group or others (mode 0777)'),
      hint: `chmod 700 ${dirname(path)}, then run again`,
    });
    await expect(loadState(path)).rejects.toMatchObject({ code: 'state.unsafe' });
    expect(readdirSync(dirname(path))).toEqual([]);
  });

  it('never writes through a symlink planted in the directory', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { mode: 0o700 });
    const victim = join(dirname(dirname(path)), 'victim');
    writeFileSync(victim, 'theirs\n');
    // The old fixed temp name, and the state file itself.
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    await saveState(freshPath(), state);
    await saveState(path, state);
    expect(readFileSync(victim, 'utf8')).toBe('theirs\n');
    expect(lstatSync(path).isFile()).toBe(true);
    const other = freshPath();
    mkdirSync(dirname(other), { mode: 0o700 });
    symlinkSync(victim, other);
    await expect(saveState(other, state)).rejects.toMatchObject({ code: 'state.unsafe' });
    expect(readFileSync(victim, 'utf8')).toBe('theirs\n');
  });

  it.runIf(process.getuid?.() === 0)('refuses a directory that belongs to another user', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { mode: 0o700 });
    chownSync(dirname(path), 65534, 65534);
    await expect(loadState(path)).rejects.toMatchObject({
      code: 'state.unsafe',
      message: expect.stringContaining('belongs to uid 65534'),
    });
  });

  it('refuses a state file others can read', async () => {
    const path = freshPath();
    await saveState(path, state);
    chmodSync(path, 0o644);
    await expect(loadState(path)).rejects.toMatchObject({
      code: 'state.unsafe',
      hint: `chmod 600 ${path}, then run again`,
    });
  });
});
