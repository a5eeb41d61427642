// A backup is data, not a way in: archives crafted by hand (tar-stream, entry by entry) are refused
// by verifyBackup, which reads the archive before any host is contacted, naming the entry (exit 2).
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack, type Header } from 'tar-stream';

/** What a test gives of a header: tar-stream fills in the rest. */
type Headers = Partial<Header> & { name: string };
import { describe, expect, it } from 'vitest';
import { verifyBackup } from '../../../src/backup/read.js';
import { addEntries } from '../support/tar.js';

const STATE = JSON.stringify({ version: 1, environment: 'lab', secrets: { minioSecretKey: 's' } });

/** An archive of the state member, then `entries` of the minio volume member, as given. */
async function crafted(entries: Array<{ header: Headers; body?: string | Buffer }>, state = STATE): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'hp-crafted-')), 'crafted.tar');
  const tar = pack();
  const done = pipeline(tar, createWriteStream(path));
  tar.entry({ name: 'state/state.json', mode: 0o600 }, state);
  await addEntries(tar, entries);
  tar.finalize();
  await done;
  return path;
}

const file = (name: string, extra: Partial<Headers> = {}) => ({
  header: { name: `volumes/minio/${name}`, mode: 0o644, ...extra },
  body: 'x',
});

describe('a crafted backup archive', () => {
  it.each([
    [
      'a character device',
      [{ header: { name: 'volumes/minio/data/null', type: 'character-device', devmajor: 1, devminor: 3 } }],
      /data\/null" is a character-device/,
    ],
    ['a FIFO', [{ header: { name: 'volumes/minio/data/pipe', type: 'fifo' } }], /data\/pipe" is a fifo/],
    [
      'a block device',
      [{ header: { name: 'volumes/minio/data/sda', type: 'block-device', devmajor: 8, devminor: 0 } }],
      /is a block-device/,
    ],
    ['a setuid file', [file('data/sh', { mode: 0o4755 })], /data\/sh" carries a setuid or setgid bit/],
    [
      'a setgid directory',
      [{ header: { name: 'volumes/minio/data/d', type: 'directory', mode: 0o2775 } }],
      /carries a setuid or setgid bit/,
    ],
    [
      'a hard link to a host file',
      [{ header: { name: 'volumes/minio/data/shadow', type: 'link', linkname: '/etc/shadow' } }],
      /is a hard link to "\/etc\/shadow"/,
    ],
    [
      'a hard link to a file it never wrote',
      [{ header: { name: 'volumes/minio/data/h', type: 'link', linkname: 'volumes/minio/data/later' } }],
      /hard link to "data\/later"/,
    ],
    [
      'a symlink out of the volume',
      [{ header: { name: 'volumes/minio/data/etc', type: 'symlink', linkname: '../../../etc' } }],
      /symlink to "..\/..\/..\/etc", outside its volume/,
    ],
    [
      'an absolute symlink',
      [{ header: { name: 'volumes/minio/data/root', type: 'symlink', linkname: '/root' } }],
      /symlink to "\/root"/,
    ],
    ['a name that climbs out', [file('data/../../../etc/cron.d/x')], /names a path outside its volume/],
    ['a duplicate name', [file('data/a'), file('data/a')], /data\/a" appears twice/],
  ] as const)('refuses %s before anything is changed, naming the entry (exit 2)', async (_what, entries, why) => {
    const path = await crafted(entries as never);
    await expect(verifyBackup(path)).rejects.toMatchObject({
      code: 'restore.archive',
      exitCode: 2,
      message: expect.stringMatching(why),
    });
  });

  it('refuses a state member over 1 MiB without reading it whole', async () => {
    const path = await crafted([], `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    await expect(verifyBackup(path)).rejects.toMatchObject({
      code: 'restore.archive',
      message: expect.stringContaining('"state/state.json" is larger than 1 MiB'),
    });
  });

  it('refuses a state member that is not a regular file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hp-crafted-')), 'crafted.tar');
    const tar = pack();
    const done = pipeline(tar, createWriteStream(path));
    tar.entry({ name: 'state/state.json', type: 'symlink', linkname: '/root/.ssh/id_ed25519' });
    tar.finalize();
    await done;
    await expect(verifyBackup(path)).rejects.toMatchObject({
      message: expect.stringContaining('is not the state file'),
    });
  });

  it('lets a symlink and a hard link that stay inside the volume through to the checksums', async () => {
    const path = await crafted([
      { header: { name: 'volumes/minio/data/', type: 'directory', mode: 0o755 } },
      file('data/a'),
      { header: { name: 'volumes/minio/data/to-a', type: 'symlink', linkname: 'a' } },
      { header: { name: 'volumes/minio/data/hard-a', type: 'link', linkname: 'volumes/minio/data/a' } },
    ]);
    // Past every entry check: it fails only for want of a manifest.
    await expect(verifyBackup(path)).rejects.toMatchObject({ message: expect.stringContaining('no manifest.json') });
  });
});
