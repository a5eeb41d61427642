import { describe, expect, it } from 'vitest';
import {
  familiarRef,
  parseImageRef,
  pinnedImageProblem,
  presenceKey,
  registryOf,
  resolveImages,
} from '../../../src/stack/image-ref.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it('reads registry, repository, tag and digest as Docker does', () => {
    expect(parseImageRef('quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z')).toEqual({
      registry: 'quay.io',
      path: 'minio/minio',
      tag: 'RELEASE.2025-06-13T11-33-47Z',
    });
    expect(parseImageRef('registry.internal:5000/mirror/grafana/tempo:2.8.1')).toEqual({
      registry: 'registry.internal:5000',
      path: 'mirror/grafana/tempo',
      tag: '2.8.1',
    });
    expect(parseImageRef('localhost/haproxy:3.2.4')).toEqual({ registry: 'localhost', path: 'haproxy', tag: '3.2.4' });
    expect(parseImageRef('grafana/pyroscope:1.14.0')).toEqual({ path: 'grafana/pyroscope', tag: '1.14.0' });
    expect(parseImageRef(`grafana/pyroscope@${DIGEST}`)).toEqual({ path: 'grafana/pyroscope', digest: DIGEST });
  });

  it('refuses what Docker refuses', () => {
    for (const bad of [
      '',
      ' grafana/pyroscope:1',
      'Grafana/Pyroscope:1.14.0',
      'grafana/pyroscope:1.14 0',
      'grafana//pyroscope:1',
      'grafana/pyroscope:',
      'grafana/pyroscope@sha256:xyz',
    ]) {
      expect(typeof parseImageRef(bad), bad).toBe('string');
    }
  });

  it('accepts only images pinned by tag or digest, never latest', () => {
    expect(pinnedImageProblem('grafana/pyroscope:1.15.0')).toBeNull();
    expect(pinnedImageProblem(`grafana/pyroscope@${DIGEST}`)).toBeNull();
    expect(pinnedImageProblem(`grafana/pyroscope:latest@${DIGEST}`)).toBeNull();
    expect(pinnedImageProblem('grafana/pyroscope')).toMatch(/no tag or digest/);
    expect(pinnedImageProblem('grafana/pyroscope:latest')).toMatch(/latest/);
    expect(pinnedImageProblem('registry.internal:5000/pyroscope')).toMatch(/no tag or digest/);
  });

  it('writes Docker Hub names the way the engine lists them', () => {
    expect(familiarRef('docker.io/library/haproxy:3.2.4')).toBe('haproxy:3.2.4');
    expect(familiarRef('docker.io/grafana/tempo:2.8.1')).toBe('grafana/tempo:2.8.1');
    expect(familiarRef('index.docker.io/grafana/tempo:2.8.1')).toBe('grafana/tempo:2.8.1');
    expect(familiarRef('quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z')).toBe(
      'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z',
    );
  });

  it('names the registry a pull goes to', () => {
    expect(registryOf('haproxy:3.2.4')).toBe('docker.io');
    expect(registryOf('docker.io/grafana/tempo:2.8.1')).toBe('docker.io');
    expect(registryOf('quay.io/minio/minio:x')).toBe('quay.io');
    expect(registryOf('registry.internal:5000/mirror/haproxy:3.2.4')).toBe('registry.internal:5000');
  });

  it('looks a digest-pinned image up by its digest', () => {
    expect(presenceKey('grafana/tempo:2.8.1')).toBe('grafana/tempo:2.8.1');
    expect(presenceKey(`docker.io/grafana/tempo:2.8.1@${DIGEST}`)).toBe(`grafana/tempo@${DIGEST}`);
  });

  it('runs the pins, under a registry prefix, or the override of one component only', () => {
    expect(resolveImages()).toEqual({
      minio: 'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z',
      pyroscope: 'grafana/pyroscope:1.14.0',
      tempo: 'grafana/tempo:2.8.1',
      grafana: 'grafana/grafana:12.2.1',
      haproxy: 'haproxy:3.2.4',
    });
    const mirrored = resolveImages('registry.internal:5000/mirror', {
      pyroscope: 'docker.io/grafana/pyroscope:1.15.0',
    });
    expect(mirrored.pyroscope).toBe('grafana/pyroscope:1.15.0');
    expect(mirrored.minio).toBe('registry.internal:5000/mirror/minio/minio:RELEASE.2025-06-13T11-33-47Z');
    expect(mirrored.tempo).toBe('registry.internal:5000/mirror/grafana/tempo:2.8.1');
  });
});
