// Tempo's configuration: receivers on all interfaces, traces on MinIO, WAL on the data volume.
// The file carries the S3 keys, so it is a secret owned by the container user.

import { component } from '../stack/manifest.js';
import { hostPort } from './address.js';
import type { ComponentRender } from './component-render.js';
import type { RenderContext } from './context.js';
import { PORTS } from './ports.js';
import { containerOwner, SECRET_MODE } from './rendered-file.js';
import { fillTemplate, loadTemplate } from './template.js';
import { yamlScalar } from './yaml-scalar.js';

/** The image has no CMD and no default config: `/etc/tempo.yaml` is the documented convention. */
export const TEMPO_CONFIG_TARGET = '/etc/tempo.yaml';

export function renderTempo(ctx: RenderContext): ComponentRender {
  const tempo = component('tempo');
  if (!tempo.dataPath) throw new Error('manifest gives Tempo no data path');
  const template = 'tempo.yaml';
  const content = fillTemplate(
    template,
    loadTemplate(template),
    {
      multitenancy: ctx.tenants !== null,
      http_port: PORTS.tempoHttp,
      otlp_grpc_endpoint: `0.0.0.0:${PORTS.tempoOtlpGrpc}`,
      // frontDoor.otlpHttp: the HTTP receiver, on every address like the others (/v1/traces).
      otlp_http_fragment: ctx.otlpHttp
        ? `        http:\n          endpoint: ${yamlScalar(`0.0.0.0:${PORTS.tempoOtlpHttp}`)}\n`
        : '',
      jaeger_grpc_endpoint: `0.0.0.0:${PORTS.tempoJaegerGrpc}`,
      s3_endpoint: hostPort(ctx.hosts.db, PORTS.minioS3),
      bucket: ctx.buckets.tempo,
      access_key: ctx.minio.accessKey,
      secret_key: ctx.minio.secretKey,
      wal_path: `${tempo.dataPath}/wal`,
      retention: `${ctx.retention.tracesHours}h`,
    },
    (value, name) => (name.endsWith('_fragment') ? String(value) : yamlScalar(value)),
  );
  return {
    component: 'tempo',
    files: [
      {
        tier: 'app',
        component: 'tempo',
        path: 'tempo/tempo.yaml',
        content,
        mode: SECRET_MODE,
        owner: containerOwner('tempo'),
        secret: true,
        mountTarget: TEMPO_CONFIG_TARGET,
      },
    ],
    // Deliberately no -config.expand-env: nothing needs expanding, and with it drone/envsubst
    // would rewrite `$$`, `\\` and `${...}` inside the credentials.
    args: [`-config.file=${TEMPO_CONFIG_TARGET}`],
    env: {},
  };
}
