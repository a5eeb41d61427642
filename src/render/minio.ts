// MinIO's root credentials as files read through MINIO_ROOT_USER_FILE / MINIO_ROOT_PASSWORD_FILE,
// so neither appears in the container's Env or command line.
//
// How the image reads them (cmd/common-main.go, readFromSecret): the value is first tried as a
// name under /run/secrets/, then as a path; the content is whitespace-trimmed. A missing or empty
// file is silently ignored, and MinIO then starts with minioadmin/minioadmin: the installer must
// check the mounts exist before starting and that the credentials work afterwards.

import type { ComponentRender } from './component-render.js';
import type { RenderContext } from './context.js';
import { containerOwner, SECRET_MODE } from './rendered-file.js';

export const MINIO_USER_TARGET = '/run/secrets/minio-root-user';
export const MINIO_PASSWORD_TARGET = '/run/secrets/minio-root-password';

export function renderMinio(ctx: RenderContext): ComponentRender {
  const owner = containerOwner('minio');
  const file = (path: string, content: string, mountTarget: string) => ({
    tier: 'db' as const,
    component: 'minio' as const,
    path,
    // Written without a newline; MinIO would trim one anyway.
    content,
    mode: SECRET_MODE,
    owner,
    secret: true,
    mountTarget,
  });
  return {
    component: 'minio',
    files: [
      file('minio/root-user', ctx.minio.accessKey, MINIO_USER_TARGET),
      file('minio/root-password', ctx.minio.secretKey, MINIO_PASSWORD_TARGET),
    ],
    // The command (`server /data --console-address :9001`) is the installer's: no file in it.
    args: null,
    env: {
      // Absolute paths: /run/secrets/<path> does not exist, so MinIO reads the path itself. They
      // replace the image's defaults (access_key / secret_key under /run/secrets).
      MINIO_ROOT_USER_FILE: MINIO_USER_TARGET,
      MINIO_ROOT_PASSWORD_FILE: MINIO_PASSWORD_TARGET,
    },
  };
}
