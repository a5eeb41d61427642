// Pyroscope's configuration: object storage on MinIO. The file carries the S3 keys, so it is a
// secret owned by the container user; the image's own CMD already reads it from the mount target.

import { hostPort } from './address.js';
import type { ComponentRender } from './component-render.js';
import type { RenderContext } from './context.js';
import { PORTS } from './ports.js';
import { containerOwner, SECRET_MODE } from './rendered-file.js';
import { fillTemplate, loadTemplate } from './template.js';
import { yamlScalar } from './yaml-scalar.js';

/** The image's CMD is `-config.file=/etc/pyroscope/config.yaml`: mounting there needs no args. */
export const PYROSCOPE_CONFIG_TARGET = '/etc/pyroscope/config.yaml';

export function renderPyroscope(ctx: RenderContext): ComponentRender {
  const template = 'pyroscope.yaml';
  const content = fillTemplate(
    template,
    loadTemplate(template),
    {
      multitenancy: ctx.tenants !== null,
      http_port: PORTS.pyroscope,
      s3_endpoint: hostPort(ctx.hosts.db, PORTS.minioS3),
      bucket: ctx.buckets.pyroscope,
      access_key: ctx.minio.accessKey,
      secret_key: ctx.minio.secretKey,
      retention: `${ctx.retention.profilesHours}h`,
    },
    yamlScalar,
  );
  return {
    component: 'pyroscope',
    files: [
      {
        tier: 'app',
        component: 'pyroscope',
        path: 'pyroscope/config.yaml',
        content,
        mode: SECRET_MODE,
        owner: containerOwner('pyroscope'),
        secret: true,
        mountTarget: PYROSCOPE_CONFIG_TARGET,
      },
    ],
    // Keep the image's CMD; in particular no -config.expand-env (see templates/pyroscope.yaml).
    args: null,
    env: {},
  };
}
