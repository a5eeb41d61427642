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
  TLS_CA_KEY_PATH,
  TLS_CA_PATH,
  TLS_CERTIFICATE_PATH,
} from '../../../src/render/haproxy.js';
import { checkExternalSnippet } from '../../../src/phases/install/haproxy-check.js';
import { frontDoorTlsFor } from '../../../src/tls/certificates.js';
import { haproxyAvailability } from './haproxy-run.js';
import { sampleInput } from './sample-context.js';

const container = renderHaproxy(renderContext(sampleInput()));
const TLS = frontDoorTlsFor(undefined, 'lab', ['10.213.0.11'], new Date()).tls;
const withTls = renderHaproxy(renderContext(sampleInput({ tls: TLS })));
const externalTls = renderHaproxy(renderContext(sampleInput({ tls: TLS, frontDoor: 'external' })));
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

describe('haproxy.cfg front door with TLS', () => {
  const tlsCfg = withTls.files[0]!.content;

  it('binds 9940 with the certificate file, ALPN h2 then http/1.1, TLS 1.2 at the least', () => {
    expect(tlsCfg).toMatch(
      /^ {4}bind :9940 ssl crt \/usr\/local\/etc\/haproxy\/tls\/front-door\.pem alpn h2,http\/1\.1 ssl-min-ver TLSv1\.2$/m,
    );
    // Only the bind differs from the plain door.
    const withoutBind = (text: string) => text.replace(/^ {4}#.*\n/gm, '').replace(/^ {4}bind .*$/m, '');
    expect(withoutBind(tlsCfg)).toBe(withoutBind(cfg));
  });

  it('writes the certificate with its CA and key for the door user, the CA for all, the CA key for root', () => {
    expect(withTls.files.map((f) => [f.path, f.mode, f.owner, f.secret, f.mountTarget])).toEqual([
      ['haproxy/haproxy.cfg', 0o644, { uid: 99, gid: 99 }, false, '/usr/local/etc/haproxy/haproxy.cfg'],
      [TLS_CERTIFICATE_PATH, 0o600, { uid: 99, gid: 99 }, true, '/usr/local/etc/haproxy/tls/front-door.pem'],
      [TLS_CA_PATH, 0o644, { uid: 0, gid: 0 }, false, '/usr/local/etc/haproxy/tls/ca.pem'],
      [TLS_CA_KEY_PATH, 0o600, { uid: 0, gid: 0 }, true, null],
    ]);
    const pem = withTls.files[1]!.content;
    expect(pem.indexOf(TLS.certificate.trim())).toBe(0);
    expect(pem).toContain(TLS.caCertificate.trim());
    expect(pem).toContain(TLS.key.trim());
    expect(pem).not.toContain(TLS.caKey!.trim());
  });

  it('external: the bind names the file where install writes it, root-owned and mounted nowhere', () => {
    expect(externalTls.files[0]!.content).toMatch(
      /^ {4}bind :9940 ssl crt \/opt\/heal-pyroscope\/web\/haproxy\/tls\/front-door\.pem alpn h2,http\/1\.1/m,
    );
    const certificate = externalTls.files.find((f) => f.path === TLS_CERTIFICATE_PATH)!;
    expect([certificate.owner, certificate.mode, certificate.mountTarget]).toEqual([{ uid: 0, gid: 0 }, 0o600, null]);
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

  it('accepts the TLS door with its certificate file without warnings', async () => {
    const pem = join(dir, 'front-door.pem');
    writeFileSync(pem, withTls.files[1]!.content, { mode: 0o600 });
    const content = withTls.files[0]!.content.replace('/usr/local/etc/haproxy/tls/front-door.pem', pem);
    const result = await check([{ name: 'haproxy-tls.cfg', content }]);
    expect(result.output).not.toMatch(/WARNING|ALERT/);
    expect(result.exitCode).toBe(0);
  });

  it("install's own check of the external TLS snippet loads its certificate, and refuses a broken one", async () => {
    await expect(checkExternalSnippet(externalTls.files)).resolves.toBeUndefined();
    const broken = externalTls.files.map((f) =>
      f.path === TLS_CERTIFICATE_PATH ? { ...f, content: TLS.certificate } : f,
    );
    await expect(checkExternalSnippet(broken)).rejects.toThrow(/HAProxy refuses the front-door snippet/);
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
