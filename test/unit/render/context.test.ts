import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import type { RenderContextInput } from '../../../src/render/context.js';
import { renderContext } from '../../../src/render/context.js';
import { HOSTILE_SECRET, sampleInput } from './sample-context.js';

function problems(input: RenderContextInput): string[] {
  try {
    renderContext(input);
    return [];
  } catch (error) {
    if (error instanceof HealError && error.code === 'render.context') return error.details;
    throw error;
  }
}

describe('renderContext', () => {
  it('applies the defaults: Grafana on 3000, buckets pyroscope and tempo, our own HAProxy', () => {
    const ctx = renderContext(sampleInput());
    expect(ctx.grafanaPort).toBe(3000);
    expect(ctx.buckets).toEqual({ pyroscope: 'pyroscope', tempo: 'tempo' });
    expect(ctx.frontDoor).toBe('container');
  });

  it('keeps given values over defaults', () => {
    const ctx = renderContext(sampleInput({ grafanaPort: 3300, buckets: { tempo: 'traces' }, frontDoor: 'external' }));
    expect(ctx.grafanaPort).toBe(3300);
    expect(ctx.buckets).toEqual({ pyroscope: 'pyroscope', tempo: 'traces' });
    expect(ctx.frontDoor).toBe('external');
  });

  it('accepts DNS names, IPv4 and IPv6 host addresses', () => {
    expect(problems(sampleInput({ hosts: { web: 'web-1.lab', app: '2001:db8::12', db: '10.0.0.3' } }))).toEqual([]);
  });

  it('reports every bad host address by tier', () => {
    const found = problems(sampleInput({ hosts: { web: '', app: 'app host', db: '[2001:db8::1]' } }));
    expect(found).toEqual([
      'hosts.web "" is empty',
      'hosts.app "app host" is neither an IP address nor a DNS name',
      'hosts.db "[2001:db8::1]" must be an IPv6 address without brackets',
    ]);
  });

  it('refuses a Grafana port that Pyroscope or Tempo already uses', () => {
    expect(problems(sampleInput({ grafanaPort: 3200 }))).toEqual([
      'grafanaPort 3200 is already used on the app host by Pyroscope or Tempo',
    ]);
    expect(problems(sampleInput({ grafanaPort: 70000 }))[0]).toMatch(/not a TCP port/);
  });

  it('refuses invalid or shared bucket names', () => {
    expect(problems(sampleInput({ buckets: { pyroscope: 'Profiles_1' } }))[0]).toMatch(/^buckets.pyroscope/);
    expect(problems(sampleInput({ buckets: { pyroscope: 'shared', tempo: 'shared' } }))).toEqual([
      'buckets.pyroscope and buckets.tempo must differ: Pyroscope and Tempo each own their bucket',
    ]);
  });

  it('accepts a MinIO secret with quotes, colons, hashes, dollars and a newline', () => {
    expect(problems(sampleInput({ minio: { accessKey: 'heal-admin', secretKey: HOSTILE_SECRET } }))).toEqual([]);
  });

  it('refuses secrets MinIO or Grafana would read differently', () => {
    const found = problems(
      sampleInput({
        minio: { accessKey: 'a,b', secretKey: ' padded-secret ' },
        grafanaAdmin: { user: 'admin', password: 'pass${HOME}word' },
      }),
    );
    expect(found).toEqual([
      'minio.accessKey must be 3-128 characters of A-Z a-z 0-9 . _ @ + -',
      'minio.secretKey must not start or end with white space',
      'grafanaAdmin.password must not contain ${...} or $__name{...}: Grafana would expand it',
    ]);
  });

  it('refuses short secrets and control characters', () => {
    const found = problems(sampleInput({ minio: { accessKey: 'heal-admin', secretKey: 'short\u0000' } }));
    expect(found).toEqual([
      'minio.secretKey must be at least 8 bytes long',
      'minio.secretKey must not contain control characters or invalid Unicode',
    ]);
  });

  it('refuses a Grafana password with a newline: it could not be typed at the login form', () => {
    const found = problems(sampleInput({ grafanaAdmin: { user: 'admin', password: 'two\nlines!' } }));
    expect(found).toEqual(['grafanaAdmin.password must not contain newlines or tabs: it is typed into a login form']);
  });

  it('names the first problem in the message and gives a hint', () => {
    expect(() => renderContext(sampleInput({ grafanaPort: 4040 }))).toThrowError(/grafanaPort 4040/);
  });
});
