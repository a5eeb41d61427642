import { describe, expect, it } from 'vitest';
import type { RegistryAnswer } from '../../../src/remote/index.js';
import { imagesVerdict } from '../../../src/checks/images.js';
import { classifyRegistryError } from '../../../src/remote/docker-client.js';

const MINIO = 'quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z';
const TEMPO = 'grafana/tempo:2.8.1';
const answers = (entries: Array<[string, RegistryAnswer]>) => new Map(entries);

describe('images present or pullable', () => {
  it('passes without asking any registry when every image is present', () => {
    const r = imagesVerdict('db-01', [MINIO], new Set([MINIO]), answers([]), []);
    expect(r).toMatchObject({ status: 'pass', summary: 'all 1 present' });
  });

  it('passes an image the registry says it has', () => {
    const r = imagesVerdict('app-01', [TEMPO], new Set(), answers([[TEMPO, { state: 'found', digest: 'sha256:1' }]]), [
      'http://10.213.0.1:5000',
    ]);
    expect(r.status).toBe('pass');
    expect(r.evidence.join('\n')).toContain('via mirror http://10.213.0.1:5000');
  });

  it('fails an image the registry answers it does not have, naming image, registry and answer', () => {
    const r = imagesVerdict(
      'db-01',
      [MINIO],
      new Set(),
      answers([[MINIO, { state: 'not-found', detail: 'manifest unknown' }]]),
      [],
    );
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`${MINIO} (quay.io: not found)`);
    expect(r.evidence[0]).toContain('manifest unknown');
    expect(r.remedy).toMatch(/images\.<component>|registry\.prefix/);
  });

  it('tells denied from unreachable in the remedy', () => {
    const denied = imagesVerdict(
      'a',
      [TEMPO],
      new Set(),
      answers([[TEMPO, { state: 'denied', detail: 'unauthorized' }]]),
      [],
    );
    expect(denied.summary).toContain('access denied');
    expect(denied.remedy).toMatch(/log the engine in/);
    const away = imagesVerdict(
      'a',
      [TEMPO],
      new Set(),
      answers([[TEMPO, { state: 'unreachable', detail: 'dial tcp: i/o timeout' }]]),
      [],
    );
    expect(away.summary).toContain('docker.io: unreachable');
    expect(away.remedy).toMatch(/reachable from a/);
  });
});

describe('registry answers relayed by the engine', () => {
  it('classifies what registries and the network say', () => {
    expect(classifyRegistryError(500, 'manifest unknown: manifest unknown')).toBe('not-found');
    expect(classifyRegistryError(404, 'not found: manifest unknown')).toBe('not-found');
    expect(
      classifyRegistryError(
        500,
        "pull access denied for minio/minio, repository does not exist or may require 'docker login'",
      ),
    ).toBe('denied');
    expect(classifyRegistryError(401, 'unauthorized: authentication required')).toBe('denied');
    expect(classifyRegistryError(500, 'Get "https://quay.io/v2/": dial tcp: lookup quay.io: no such host')).toBe(
      'unreachable',
    );
    expect(
      classifyRegistryError(
        500,
        'Get "http://10.213.0.1:5000/v2/": dial tcp 10.213.0.1:5000: connect: connection refused',
      ),
    ).toBe('unreachable');
    expect(classifyRegistryError(500, 'something else entirely')).toBe('error');
  });
});
