import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderContext } from '../../../src/render/context.js';
import { renderPyroscope } from '../../../src/render/pyroscope.js';
import { renderTempo } from '../../../src/render/tempo.js';
import { renderStack } from '../../../src/render/render.js';
import { HOSTILE_SECRET, sampleInput } from './sample-context.js';

const ctx = renderContext(sampleInput());

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

describe("Tempo's OTLP HTTP receiver (frontDoor.otlpHttp)", () => {
  it('is listed on every address only when asked for, and published with it', () => {
    const on = renderContext(sampleInput({ otlpHttp: true }));
    const receivers = (ctx: typeof on) =>
      (parse(only(renderTempo(ctx).files).content) as { distributor: { receivers: { otlp: { protocols: object } } } })
        .distributor.receivers.otlp.protocols;
    expect(receivers(on)).toEqual({ grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } });
    expect(receivers(ctx)).toEqual({ grpc: { endpoint: '0.0.0.0:4317' } });
    const published = (c: typeof on) =>
      renderStack(c)
        .containers.find((w) => w.component === 'tempo')!
        .ports.map((p) => p.container);
    expect(published(on)).toContain(4318);
    expect(published(ctx)).not.toContain(4318);
  });
});

describe('multi-tenancy in Pyroscope and Tempo', () => {
  it('is on, as the top-level multitenancy_enabled both read, when the door authenticates tenants', () => {
    const tenants = renderContext(sampleInput({ tenants: [{ name: 'default', password: 'p'.repeat(43) }] }));
    for (const file of [only(renderPyroscope(tenants).files), only(renderTempo(tenants).files)])
      expect(parse(file.content)).toMatchObject({ multitenancy_enabled: true });
  });
});

describe('pyroscope/config.yaml', () => {
  const file = only(renderPyroscope(ctx).files);

  it('holds exactly the keys Pyroscope 1.14 needs for S3 on MinIO, nothing unknown to its strict parser', () => {
    expect(parse(file.content)).toEqual({
      multitenancy_enabled: false,
      server: { http_listen_port: 4040 },
      storage: {
        backend: 's3',
        s3: {
          endpoint: '10.213.0.13:9000',
          bucket_name: 'pyroscope',
          access_key_id: 'heal-admin',
          secret_access_key: 'minio-secret-123',
          insecure: true,
          bucket_lookup_type: 'path-style',
        },
      },
      limits: { compactor_blocks_retention_period: '720h' },
      analytics: { reporting_enabled: false },
    });
  });

  it("writes retention.profiles in hours, which Pyroscope's model.Duration reads", () => {
    const custom = only(renderPyroscope({ ...ctx, retention: { profilesHours: 7 * 24, tracesHours: 48 } }).files);
    expect(parse(custom.content).limits).toEqual({ compactor_blocks_retention_period: '168h' });
  });

  it('is a secret for the container user, mounted where the image CMD reads it', () => {
    expect(file).toMatchObject({
      tier: 'app',
      path: 'pyroscope/config.yaml',
      mode: 0o600,
      owner: { uid: 10001, gid: 10001 },
      secret: true,
      mountTarget: '/etc/pyroscope/config.yaml',
    });
  });

  it('keeps the image CMD, so -config.expand-env is never on', () => {
    expect(renderPyroscope(ctx).args).toBeNull();
  });
});

describe('tempo/tempo.yaml', () => {
  const file = only(renderTempo(ctx).files);

  it('holds exactly the keys Tempo 2.8 needs: receivers on 0.0.0.0, traces on MinIO, WAL', () => {
    const expected = {
      multitenancy_enabled: false,
      stream_over_http_enabled: true,
      server: { http_listen_port: 3200 },
      distributor: {
        receivers: {
          otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' } } },
          jaeger: { protocols: { grpc: { endpoint: '0.0.0.0:14250' } } },
        },
      },
      storage: {
        trace: {
          backend: 's3',
          s3: {
            endpoint: '10.213.0.13:9000',
            bucket: 'tempo',
            access_key: 'heal-admin',
            secret_key: 'minio-secret-123',
            insecure: true,
            forcepathstyle: true,
          },
          wal: { path: '/var/tempo/wal' },
        },
      },
      compactor: { compaction: { block_retention: '336h' } },
      usage_report: { reporting_enabled: false },
    };
    // Tempo reads with go-yaml v2 (YAML 1.1): the meaning must not depend on the version.
    expect(parse(file.content, { version: '1.1' })).toEqual(expected);
    expect(parse(file.content, { version: '1.2' })).toEqual(expected);
  });

  it("writes retention.traces in hours, which Go's time.ParseDuration reads (it has no `d`)", () => {
    const custom = only(renderTempo({ ...ctx, retention: { profilesHours: 720, tracesHours: 3 * 24 } }).files);
    expect(parse(custom.content).compactor).toEqual({ compaction: { block_retention: '72h' } });
  });

  it('is a secret for the container user, named by -config.file and nothing else', () => {
    expect(file).toMatchObject({ mode: 0o600, owner: { uid: 10001, gid: 10001 }, secret: true });
    expect(renderTempo(ctx).args).toEqual(['-config.file=/etc/tempo.yaml']);
    expect(file.mountTarget).toBe('/etc/tempo.yaml');
  });
});

describe('credentials in the storage configs', () => {
  const hostile = renderContext(sampleInput({ minio: { accessKey: 'heal-admin', secretKey: HOSTILE_SECRET } }));

  it('round-trip special characters through YAML parsing unchanged', () => {
    const pyroscope = parse(only(renderPyroscope(hostile).files).content);
    const tempo = parse(only(renderTempo(hostile).files).content, { version: '1.1' });
    expect(pyroscope.storage.s3.secret_access_key).toBe(HOSTILE_SECRET);
    expect(tempo.storage.trace.s3.secret_key).toBe(HOSTILE_SECRET);
  });

  it('leave the rest of the file intact', () => {
    const tempo = parse(only(renderTempo(hostile).files).content, { version: '1.1' });
    expect(tempo.storage.trace.s3.insecure).toBe(true);
    expect(tempo.storage.trace.wal.path).toBe('/var/tempo/wal');
  });

  it('bracket an IPv6 MinIO address in the endpoint', () => {
    const v6 = renderContext(sampleInput({ hosts: { web: 'web', app: 'app', db: '2001:db8::13' } }));
    expect(parse(only(renderPyroscope(v6).files).content).storage.s3.endpoint).toBe('[2001:db8::13]:9000');
  });
});
