import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import { EXTERNAL_SNIPPET_PATH, EXTERNAL_WRAPPER_PATH, renderHaproxy } from '../../../src/render/haproxy.js';
import { routeFor } from './haproxy-routes.js';
import { sampleInput } from './sample-context.js';

const FRONTEND = 'heal_pyroscope_front_door';
const container = renderHaproxy(renderContext(sampleInput()));
const external = renderHaproxy(renderContext(sampleInput({ frontDoor: 'external' })));
const cfg = container.files[0]!.content;

describe('haproxy.cfg routing', () => {
  it.each([
    ['/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'heal_pyroscope_tempo_otlp', '10.213.0.12:4317', 'h2'],
    ['/jaeger.api_v2.CollectorService/PostSpans', 'heal_pyroscope_tempo_jaeger', '10.213.0.12:14250', 'h2'],
    ['/push.v1.PusherService/Push', 'heal_pyroscope_pyroscope', '10.213.0.12:4040', 'h2'],
    [
      '/opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export',
      'heal_pyroscope_pyroscope',
      '10.213.0.12:4040',
      'h2',
    ],
    ['/querier.v1.QuerierService/SelectMergeStacktraces', 'heal_pyroscope_pyroscope', '10.213.0.12:4040', 'h2'],
  ])('sends gRPC/connect %s to %s', (path, backend, server, proto) => {
    expect(routeFor(cfg, FRONTEND, path)).toEqual({ backend, server, proto });
  });

  it.each(['/api/traces/0af7651916cd43dd', '/api/v2/traces/0af7651916cd43dd', '/api/search?tags=x', '/api/search/tags', '/api/v2/search/tag/service.name/values', '/api/metrics/query_range', '/api/echo'])(
    'sends Tempo API %s to Tempo over HTTP/1.1',
    (path) => {
      expect(routeFor(cfg, FRONTEND, path)).toEqual({
        backend: 'heal_pyroscope_tempo_api',
        server: '10.213.0.12:3200',
        proto: null,
      });
    },
  );

  it.each(['/ingest?name=app', '/pyroscope/ingest', '/pyroscope/render', '/api/v1/status/buildinfo', '/api/swagger.json', '/'])(
    'sends Pyroscope path %s to Pyroscope',
    (path) => {
      expect(routeFor(cfg, FRONTEND, path).backend).toBe('heal_pyroscope_pyroscope');
    },
  );

  it('binds 9940 without forcing a protocol and answers the manifest health check itself', () => {
    expect(cfg).toMatch(/^ {4}bind :9940$/m);
    expect(cfg).toMatch(/^ {4}monitor-uri \/healthz$/m);
  });

  it('brackets an IPv6 app address in server lines', () => {
    const v6 = renderHaproxy(renderContext(sampleInput({ hosts: { web: 'web', app: '2001:db8::12', db: 'db' } })));
    expect(routeFor(v6.files[0]!.content, FRONTEND, '/ingest').server).toBe('[2001:db8::12]:4040');
  });
});

describe('haproxy file variants', () => {
  it('container: one haproxy.cfg for the haproxy user, mounted where the image reads it', () => {
    expect(container.files.map((f) => [f.path, f.mode, f.owner, f.mountTarget])).toEqual([
      ['haproxy/haproxy.cfg', 0o644, { uid: 99, gid: 99 }, '/usr/local/etc/haproxy/haproxy.cfg'],
    ]);
  });

  it('external: the heal_pyroscope_* sections only, plus a wrapper, owned by root and mounted nowhere', () => {
    expect(external.files.map((f) => [f.path, f.owner, f.mountTarget])).toEqual([
      [EXTERNAL_SNIPPET_PATH, { uid: 0, gid: 0 }, null],
      [EXTERNAL_WRAPPER_PATH, { uid: 0, gid: 0 }, null],
    ]);
    const snippet = external.files[0]!.content;
    expect(snippet).not.toMatch(/^(global|defaults)\b/m);
    const names = [...snippet.matchAll(/^(?:frontend|backend) (\S+)$/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n!.startsWith('heal_pyroscope_'))).toBe(true);
    expect(routeFor(snippet, FRONTEND, '/jaeger.api_v2.CollectorService/PostSpans').backend).toBe('heal_pyroscope_tempo_jaeger');
  });
});

// The real parser is the only judge of HAProxy syntax.
const haproxy = await execa('haproxy', ['-v'], { reject: false });
const haproxyMissing = haproxy.failed && (haproxy as { code?: string }).code === 'ENOENT';
const inCI = Boolean(process.env.CI) && process.env.CI !== 'false';
if (haproxyMissing && !inCI) {
  console.warn('haproxy is not installed: skipping `haproxy -c` validation (install the haproxy package to run it)');
}

describe.skipIf(haproxyMissing && !inCI)('haproxy -c', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heal-render-haproxy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function check(files: { name: string; content: string }[]) {
    const args = ['-c'];
    for (const f of files) {
      const path = join(dir, f.name);
      writeFileSync(path, f.content);
      args.push('-f', path);
    }
    const result = await execa('haproxy', args, { reject: false, all: true });
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new Error('haproxy is not installed, and CI requires the `haproxy -c` validation: install the haproxy package');
    }
    return { exitCode: result.exitCode, output: result.all ?? '' };
  }

  it('rejects a configuration HAProxy cannot parse (the check is real)', async () => {
    const result = await check([{ name: 'broken.cfg', content: cfg.replace('proto h2', 'proto h3000') }]);
    expect(result.exitCode).not.toBe(0);
  });

  it('accepts the container haproxy.cfg without warnings', async () => {
    const result = await check([{ name: 'haproxy.cfg', content: cfg }]);
    expect(result.output).not.toMatch(/WARNING|ALERT/);
    expect(result.exitCode).toBe(0);
  });

  it('accepts the external snippet behind its wrapper without warnings', async () => {
    const [snippet, wrapper] = external.files;
    const result = await check([
      { name: 'validate-wrapper.cfg', content: wrapper!.content },
      { name: 'heal-pyroscope.cfg', content: snippet!.content },
    ]);
    expect(result.output).not.toMatch(/WARNING|ALERT/);
    expect(result.exitCode).toBe(0);
  });
});
