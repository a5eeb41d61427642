import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import {
  EXTERNAL_SNIPPET_PATH,
  EXTERNAL_WRAPPER_PATH,
  FRONT_DOOR_REFUSAL,
  renderHaproxy,
} from '../../../src/render/haproxy.js';
import { haproxyAvailability } from './haproxy-run.js';
import { sampleInput } from './sample-context.js';

const container = renderHaproxy(renderContext(sampleInput()));
const external = renderHaproxy(renderContext(sampleInput({ frontDoor: 'external' })));
const cfg = container.files[0]!.content;

describe('haproxy.cfg front door', () => {
  it('binds 9940 without forcing a protocol and answers the manifest health check itself', () => {
    expect(cfg).toMatch(/^ {4}bind :9940$/m);
    expect(cfg).toMatch(/^ {4}monitor-uri \/healthz$/m);
  });

  it('has no default backend: what no rule forwards, HAProxy answers itself', () => {
    expect(cfg).not.toMatch(/default_backend/);
    expect(cfg).toContain(`http-request return status 404 content-type text/plain string '${FRONT_DOOR_REFUSAL}'`);
  });

  it("forwards to Pyroscope and the two Tempo receivers only, never to Tempo's HTTP API", () => {
    const servers = [...cfg.matchAll(/^ {4}server \S+ (\S+)/gm)].map((m) => m[1]);
    expect(servers.sort()).toEqual(['10.213.0.12:14250', '10.213.0.12:4040', '10.213.0.12:4317']);
  });

  it('health-checks Pyroscope over HTTP/2 with the address it dials as Host', () => {
    expect(cfg).toMatch(/^ {4}http-check send meth GET uri \/ready hdr host 10\.213\.0\.12:4040$/m);
    expect(cfg).toMatch(/^ {4}server pyroscope 10\.213\.0\.12:4040 proto h2 check/m);
  });

  it('brackets an IPv6 app address in server lines and in the health check Host', () => {
    const v6 = renderHaproxy(renderContext(sampleInput({ hosts: { web: 'web', app: '2001:db8::12', db: 'db' } })))
      .files[0]!.content;
    expect(v6).toMatch(/^ {4}server pyroscope \[2001:db8::12\]:4040 proto h2/m);
    expect(v6).toMatch(/hdr host \[2001:db8::12\]:4040$/m);
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
    // The same front door as the container's: the sections after the file's own header comment.
    const sections = (text: string) => text.slice(text.search(/^frontend /m));
    expect(sections(snippet)).toBe(sections(cfg));
  });
});

// The real parser is the only judge of HAProxy syntax.
const availability = await haproxyAvailability();

describe.skipIf(availability.skip)('haproxy -c', () => {
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
      throw new Error(
        'haproxy is not installed, and CI requires the `haproxy -c` validation: install the haproxy package',
      );
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
