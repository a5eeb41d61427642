import { describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import { renderMinio } from '../../../src/render/minio.js';
import { HOSTILE_SECRET, sampleInput } from './sample-context.js';

const render = renderMinio(
  renderContext(sampleInput({ minio: { accessKey: 'heal-admin', secretKey: HOSTILE_SECRET } })),
);

describe('MinIO credential files', () => {
  it('writes user and password verbatim as root-only secrets on the db host', () => {
    expect(render.files.map((f) => [f.path, f.content, f.mode, f.owner, f.tier, f.secret])).toEqual([
      ['minio/root-user', 'heal-admin', 0o600, { uid: 0, gid: 0 }, 'db', true],
      ['minio/root-password', HOSTILE_SECRET, 0o600, { uid: 0, gid: 0 }, 'db', true],
    ]);
  });

  it('points MINIO_ROOT_USER_FILE and MINIO_ROOT_PASSWORD_FILE at the mount targets', () => {
    const [user, pass] = render.files;
    expect(render.env).toEqual({
      MINIO_ROOT_USER_FILE: user!.mountTarget,
      MINIO_ROOT_PASSWORD_FILE: pass!.mountTarget,
    });
    expect(user!.mountTarget).toBe('/run/secrets/minio-root-user');
  });

  it('puts no credential in the environment', () => {
    expect(Object.values(render.env).join('\n')).not.toMatch(/heal-admin|p"a:s/);
  });
});
