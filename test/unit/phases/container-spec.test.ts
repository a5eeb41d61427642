import { describe, expect, it } from 'vitest';
import { containerLimits } from '../../../src/config/resolve.js';
import { containerSpecs, createOptions, healthAddress, specHash } from '../../../src/plan/container-spec.js';
import { renderContext } from '../../../src/render/context.js';
import { renderStack } from '../../../src/render/render.js';
import { resolveImages } from '../../../src/stack/image-ref.js';
import { sampleInput } from '../render/sample-context.js';

const stack = renderStack(renderContext(sampleInput()));
const specsWith = (images = resolveImages(), limits = containerLimits(undefined)) =>
  containerSpecs(stack, images, limits);
const of = (specs: ReturnType<typeof specsWith>, name: string) => specs.find((s) => s.component === name)!;

describe('container specifications', () => {
  it('bounds every container log: json-file, 10 MB, 3 files by default', () => {
    for (const spec of specsWith()) {
      expect(createOptions(spec, '0.1.0').HostConfig?.LogConfig, spec.name).toEqual({
        Type: 'json-file',
        Config: { 'max-size': '10m', 'max-file': '3' },
      });
    }
  });

  it('drops every capability and forbids gaining privileges in every container; the hash covers it', () => {
    for (const spec of specsWith()) {
      const host = createOptions(spec, '0.1.0').HostConfig;
      expect(host?.SecurityOpt, spec.name).toEqual(['no-new-privileges:true']);
      expect(host?.CapDrop, spec.name).toEqual(['ALL']);
      expect(host?.CapAdd, spec.name).toBeUndefined();
      const loose = { ...spec, security: { ...spec.security, capAdd: ['NET_ADMIN'] } };
      expect(specHash(loose)).not.toBe(specHash(spec));
      expect(createOptions(loose, '0.1.0').HostConfig?.CapAdd).toEqual(['NET_ADMIN']);
    }
  });

  it('runs Pyroscope, Tempo and HAProxy on a read-only root (a tmpfs /tmp where needed); the hash covers it', () => {
    const specs = specsWith();
    const root = (name: string) => {
      const host = createOptions(of(specs, name), '0.1.0').HostConfig;
      return [host?.ReadonlyRootfs ?? false, host?.Tmpfs ?? {}];
    };
    const tmp = { '/tmp': 'rw,noexec,nosuid,nodev,size=64m,mode=1777' };
    expect(root('pyroscope')).toEqual([true, tmp]);
    expect(root('tempo')).toEqual([true, tmp]);
    expect(root('haproxy')).toEqual([true, {}]);
    expect(root('grafana')).toEqual([false, {}]);
    expect(root('minio')).toEqual([false, {}]);
    const pyroscope = of(specs, 'pyroscope');
    expect(specHash({ ...pyroscope, readOnlyRoot: null })).not.toBe(specHash(pyroscope));
  });

  it("binds Grafana and the MinIO console to the host's loopback, the rest to every address", () => {
    const specs = specsWith();
    const bindings = (name: string) => createOptions(of(specs, name), '0.1.0').HostConfig?.PortBindings;
    expect(bindings('grafana')).toEqual({ '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '3000' }] });
    expect(bindings('minio')).toEqual({
      '9000/tcp': [{ HostPort: '9000' }],
      '9001/tcp': [{ HostIp: '127.0.0.1', HostPort: '9001' }],
    });
    expect(bindings('pyroscope')).toEqual({ '4040/tcp': [{ HostPort: '4040' }] });
    // Published again on every address: a new spec, so the container is recreated.
    const published = containerSpecs(
      renderStack(renderContext({ ...sampleInput(), consolesPublished: true })),
      resolveImages(),
      containerLimits(undefined),
    );
    expect(createOptions(of(published, 'grafana'), '0.1.0').HostConfig?.PortBindings).toEqual({
      '3000/tcp': [{ HostPort: '3000' }],
    });
    expect(specHash(of(published, 'grafana'))).not.toBe(specHash(of(specs, 'grafana')));
  });

  it('publishes on IPv4 only while the flow rules hold, which IPv6 would go around', () => {
    const restricted = containerSpecs(
      renderStack(renderContext({ ...sampleInput(), restrictFlows: true })),
      resolveImages(),
      containerLimits(undefined),
    );
    const bindings = (name: string) => createOptions(of(restricted, name), '0.1.0').HostConfig?.PortBindings;
    expect(bindings('pyroscope')).toEqual({ '4040/tcp': [{ HostIp: '0.0.0.0', HostPort: '4040' }] });
    expect(bindings('haproxy')).toEqual({ '9940/tcp': [{ HostIp: '0.0.0.0', HostPort: '9940' }] });
    expect(bindings('minio')).toEqual({
      '9000/tcp': [{ HostIp: '0.0.0.0', HostPort: '9000' }],
      '9001/tcp': [{ HostIp: '127.0.0.1', HostPort: '9001' }],
    });
    // The health check still goes to the host's address, not to 0.0.0.0.
    expect(healthAddress(of(restricted, 'pyroscope'), '10.0.0.12')).toBe('10.0.0.12');
    expect(healthAddress(of(restricted, 'minio'), '10.0.0.13')).toBe('10.0.0.13');
  });

  it('limits memory to twice the manifest minimum by default, without extra swap', () => {
    const host = createOptions(of(specsWith(), 'pyroscope'), '0.1.0').HostConfig!;
    expect(host.Memory).toBe(2048 * 1024 * 1024);
    expect(host.MemorySwap).toBe(2048 * 1024 * 1024);
    expect(createOptions(of(specsWith(), 'haproxy'), '0.1.0').HostConfig!.Memory).toBe(256 * 1024 * 1024);
  });

  it('takes the configured log bounds and memory limits, and no limit for none', () => {
    const limits = containerLimits({
      logs: { maxSize: '50m', maxFiles: 5 },
      memoryLimits: { pyroscope: '4g', grafana: 'none' },
    });
    const specs = specsWith(resolveImages(), limits);
    expect(createOptions(of(specs, 'pyroscope'), 'v').HostConfig).toMatchObject({
      Memory: 4096 * 1024 * 1024,
      LogConfig: { Config: { 'max-size': '50m', 'max-file': '5' } },
    });
    expect(createOptions(of(specs, 'grafana'), 'v').HostConfig).not.toHaveProperty('Memory');
    expect(createOptions(of(specs, 'tempo'), 'v').HostConfig!.Memory).toBe(2048 * 1024 * 1024);
  });

  it('recreates a container whose limits change (its spec hash changes)', () => {
    const before = specHash(of(specsWith(), 'tempo'));
    expect(
      specHash(of(specsWith(resolveImages(), containerLimits({ memoryLimits: { tempo: '3g' } })), 'tempo')),
    ).not.toBe(before);
    expect(
      specHash(of(specsWith(resolveImages(), containerLimits({ memoryLimits: { grafana: '1g' } })), 'tempo')),
    ).toBe(before);
  });

  it('runs an overridden image for that component only', () => {
    const specs = specsWith(
      resolveImages(undefined, { minio: 'mirror.internal/minio/minio:RELEASE.2025-06-13T11-33-47Z' }),
    );
    expect(of(specs, 'minio').image).toBe('mirror.internal/minio/minio:RELEASE.2025-06-13T11-33-47Z');
    expect(of(specs, 'pyroscope').image).toBe('grafana/pyroscope:1.14.0');
    expect(specHash(of(specs, 'pyroscope'))).toBe(specHash(of(specsWith(), 'pyroscope')));
  });

  it('pulls MinIO from quay.io by default', () => {
    expect(of(specsWith(), 'minio').image).toBe('quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z');
  });
});
