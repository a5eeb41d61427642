// The backup archive on its own (no hosts): layout, mode 0600, the manifest's checksums, refusal of
// a changed byte naming its member, and the second pass handing each volume over as its own tar.
import { execa } from 'execa';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  linkSync,
  writeFileSync,
  createReadStream,
  existsSync,
  readdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { memberProblem, MemberDigest, type BackupMember } from '../../../src/backup/format.js';
import { streamVolumes, verifyBackup } from '../../../src/backup/read.js';
import { BackupWriter, checkBackupTarget } from '../../../src/backup/write.js';
import type { ComponentName } from '../../../src/stack/manifest.js';

const STATE = {
  version: 1,
  environment: 'lab',
  secrets: {
    minioAccessKey: 'heal-a',
    minioSecretKey: 'secret-s',
    grafanaAdminUser: 'admin',
    grafanaAdminPassword: 'pw-p',
  },
};

/** A volume as the engine's archive endpoint gives it: a tar of `top/` (GNU tar here, Go's there). */
async function volumeTar(dir: string, top: string, files: Record<string, string>): Promise<string> {
  const root = join(dir, 'src', top);
  mkdirSync(join(root, 'sub'), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  writeFileSync(join(root, 'empty'), '');
  symlinkSync('sub', join(root, 'link-to-sub'));
  linkSync(join(root, 'empty'), join(root, 'hard-to-empty'));
  const tar = join(dir, `${top}.tar`);
  await execa('tar', ['-cf', tar, '-C', join(dir, 'src'), top]);
  return tar;
}

async function writeBackup(dir: string, name = 'b.tar'): Promise<string> {
  const path = join(dir, name);
  const writer = await BackupWriter.open(path);
  await writer.addState(Buffer.from(JSON.stringify(STATE)));
  await writer.addVolume(
    'minio',
    createReadStream(await volumeTar(dir, 'data', { 'marker.txt': 'minio marker\n', 'big.bin': 'x'.repeat(70_000) })),
  );
  await writer.addVolume(
    'grafana',
    createReadStream(await volumeTar(dir, 'grafana', { 'grafana.db': 'sqlite bytes' })),
  );
  await writer.finish(
    {
      format: 'heal-pyroscope-backup/1',
      toolVersion: '0.1.0',
      createdAt: '2026-11-25T00:00:00.000Z',
      environment: 'lab',
      topology: { web: 'w', app: 'a', db: 'd', targets: [] },
      images: {},
      volumes: [
        {
          component: 'minio',
          machine: 'd',
          volume: 'heal-pyroscope-minio-data',
          path: '/data',
          image: 'm',
          pausedMs: 1,
        },
        {
          component: 'grafana',
          machine: 'a',
          volume: 'heal-pyroscope-grafana-data',
          path: '/var/lib/grafana',
          image: 'g',
          pausedMs: 1,
        },
      ],
    },
    false,
  );
  return path;
}

describe('backup archive', () => {
  it('is a plain tar: the state, each volume under volumes/COMPONENT/, the manifest and its sum last; mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const path = await writeBackup(dir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const names = (await execa('tar', ['-tf', path])).stdout.split('\n');
    expect(names[0]).toBe('state/state.json');
    expect(names).toContain('volumes/minio/data/marker.txt');
    expect(names).toContain('volumes/grafana/grafana/grafana.db');
    expect(names.slice(-2)).toEqual(['manifest.json', 'manifest.sha256']);
    // No temp file is left beside it.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('verifies: every member listed with its size and sha256, the state read back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const backup = await verifyBackup(await writeBackup(dir));
    expect(backup.manifest.members.map((m) => m.name)).toEqual(['state', 'volumes/minio', 'volumes/grafana']);
    expect(backup.manifest.members[1]!.bytes).toBe('minio marker\n'.length + 70_000);
    expect(backup.state.secrets.minioSecretKey).toBe('secret-s');
  });

  it('refuses a flipped byte in a volume, naming the member', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const path = await writeBackup(dir);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('minio marker');
    bytes[at] = bytes[at]! ^ 0x20;
    writeFileSync(path, bytes);
    await expect(verifyBackup(path)).rejects.toThrow(
      'member volumes/minio does not match its sha256 checksum (changed or corrupted); nothing was changed',
    );
  });

  it('refuses a flipped byte in a tar header, a changed manifest, a truncated file and a file that is not a backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const path = await writeBackup(dir);
    const good = readFileSync(path);
    const header = Buffer.from(good);
    const at = header.indexOf('volumes/grafana/grafana/grafana.db');
    header[at + 20] = header[at + 20]! ^ 0x01;
    writeFileSync(path, header);
    await expect(verifyBackup(path)).rejects.toThrow(/a tar header after volumes\/grafana\/.* is corrupted/);
    const manifest = Buffer.from(good);
    const m = manifest.indexOf('"toolVersion": "0.1.0"');
    manifest[m + 17] = '9'.charCodeAt(0);
    writeFileSync(path, manifest);
    await expect(verifyBackup(path)).rejects.toThrow('manifest.json does not match its sha256 checksum');
    writeFileSync(path, good.subarray(0, Math.floor(good.length / 2)));
    await expect(verifyBackup(path)).rejects.toThrow(
      /refused: it ends in the middle of an entry|refused: no manifest.json/,
    );
    const other = join(dir, 'other.tar');
    writeFileSync(join(dir, 'x.txt'), 'x');
    await execa('tar', ['-cf', other, '-C', dir, 'x.txt']);
    await expect(verifyBackup(other)).rejects.toThrow('unexpected entry "x.txt": not a heal-pyroscope backup');
  });

  it('hands each volume to the filler as a tar of its own entries, as the engine gave them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const backup = await verifyBackup(await writeBackup(dir));
    const got = new Map<ComponentName, Buffer>();
    await streamVolumes(backup, async (component, tar) => {
      got.set(component, await buffer(tar));
    });
    expect([...got.keys()]).toEqual(['minio', 'grafana']);
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(dir, 'minio-again.tar'), got.get('minio')!);
    await execa('tar', ['-xf', join(dir, 'minio-again.tar'), '-C', out]);
    expect(readFileSync(join(out, 'data', 'marker.txt'), 'utf8')).toBe('minio marker\n');
    expect(statSync(join(out, 'data', 'hard-to-empty')).ino).toBe(statSync(join(out, 'data', 'empty')).ino);
    expect(existsSync(join(out, 'data', 'link-to-sub'))).toBe(true);
  });

  it('a filler that fails ends the pass with its error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const backup = await verifyBackup(await writeBackup(dir));
    await expect(
      streamVolumes(backup, async () => {
        throw new Error('engine said no');
      }),
    ).rejects.toThrow('engine said no');
  });

  it('never replaces an existing file without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const path = join(dir, 'exists.tar');
    writeFileSync(path, 'keep me');
    await expect(checkBackupTarget(path, false)).rejects.toThrow('exists; nothing was contacted');
    await expect(checkBackupTarget(path, true)).resolves.toBeUndefined();
    await expect(checkBackupTarget(dir, true)).rejects.toThrow('is a directory');
  });

  it('an aborted backup leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-backup-'));
    const writer = await BackupWriter.open(join(dir, 'gone.tar'));
    await writer.addState(Buffer.from('{}'));
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('member checksums', () => {
  const member = (over: Partial<BackupMember> = {}): BackupMember => ({
    name: 'volumes/minio',
    bytes: 3,
    entries: 1,
    sha256: 'a'.repeat(64),
    ...over,
  });

  it('a member digest changes with any header field or data byte', () => {
    const digest = (mode: number, data: string) => {
      const d = new MemberDigest();
      d.header({ name: 'x', type: 'file', mode, uid: 0, gid: 0, size: data.length }, 'x');
      d.data(Buffer.from(data));
      return d.done('m').sha256;
    };
    expect(digest(0o644, 'abc')).toBe(digest(0o644, 'abc'));
    expect(digest(0o600, 'abc')).not.toBe(digest(0o644, 'abc'));
    expect(digest(0o644, 'abd')).not.toBe(digest(0o644, 'abc'));
  });

  it('names the first member that is missing, extra, or differs', () => {
    expect(memberProblem([member()], new Map([['volumes/minio', member()]]))).toBeUndefined();
    expect(memberProblem([member()], new Map())).toBe('member volumes/minio is listed in the manifest but missing');
    expect(memberProblem([member()], new Map([['volumes/minio', member({ bytes: 4 })]]))).toBe(
      'member volumes/minio holds 4 bytes, the manifest says 3',
    );
    expect(memberProblem([member()], new Map([['volumes/minio', member({ sha256: 'b'.repeat(64) })]]))).toMatch(
      /does not match its sha256/,
    );
    expect(memberProblem([], new Map([['volumes/minio', member()]]))).toBe(
      'member volumes/minio is not listed in the manifest',
    );
  });
});
