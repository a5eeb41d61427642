import { describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import { filesFor, renderStack } from '../../../src/render/render.js';
import { HOSTILE_SECRET, sampleInput } from './sample-context.js';

const ctx = renderContext(
  sampleInput({
    minio: { accessKey: 'heal-admin', secretKey: HOSTILE_SECRET },
    grafanaAdmin: { user: 'admin', password: 'grafana:#"pass$' },
    grafanaPort: 3300,
  }),
);
const stack = renderStack(ctx);

describe('renderStack', () => {
  it('renders each host its files, in a stable order', () => {
    expect(stack.files.map((f) => `${f.tier} ${f.path}`)).toEqual([
      'web haproxy/haproxy.cfg',
      'app grafana/admin-password',
      'app grafana/provisioning/datasources/heal-pyroscope.yaml',
      'app pyroscope/config.yaml',
      'app tempo/tempo.yaml',
      'db minio/root-password',
      'db minio/root-user',
    ]);
    expect(filesFor('db', stack.files).map((f) => f.path)).toEqual(['minio/root-password', 'minio/root-user']);
  });

  it('is deterministic: the same context renders byte-identical output', () => {
    expect(JSON.stringify(renderStack(ctx))).toBe(JSON.stringify(stack));
  });

  it('makes every credential-bearing file 0600 or stricter', () => {
    for (const f of stack.files.filter((x) => x.secret)) expect(f.mode & 0o077).toBe(0);
    expect(stack.files.filter((f) => f.secret).map((f) => f.path)).toEqual([
      'grafana/admin-password',
      'pyroscope/config.yaml',
      'tempo/tempo.yaml',
      'minio/root-password',
      'minio/root-user',
    ]);
  });

  it('never puts a credential in a container command line or environment', () => {
    const visible = JSON.stringify(stack.containers.map((c) => [c.args, c.env]));
    for (const secret of [ctx.minio.secretKey, ctx.minio.accessKey, ctx.grafanaAdmin.password]) {
      expect(visible).not.toContain(secret);
    }
  });

  it('mounts every file a container reads, read-only, and lists containers in start order', () => {
    expect(stack.containers.map((c) => c.component)).toEqual(['minio', 'pyroscope', 'tempo', 'grafana', 'haproxy']);
    const mounted = stack.containers.flatMap((c) => c.mounts.map((m) => m.source)).sort();
    expect(mounted).toEqual(stack.files.map((f) => f.path).sort());
    expect(stack.containers.every((c) => c.mounts.every((m) => m.readOnly))).toBe(true);
  });

  it("publishes Grafana on the configured port, and the consoles on the host's loopback unless asked", () => {
    const grafana = stack.containers.find((c) => c.component === 'grafana');
    expect(grafana?.ports).toEqual([{ host: 3300, container: 3000, address: '127.0.0.1' }]);
    const minio = stack.containers.find((c) => c.component === 'minio');
    expect(minio?.ports).toEqual([
      { host: 9000, container: 9000 },
      { host: 9001, container: 9001, address: '127.0.0.1' },
    ]);
    const published = renderStack({ ...ctx, consolesPublished: true });
    expect(published.containers.find((c) => c.component === 'grafana')?.ports).toEqual([
      { host: 3300, container: 3000 },
    ]);
  });

  it('runs no HAProxy container when the front door is external', () => {
    const ext = renderStack({ ...ctx, frontDoor: 'external' });
    expect(ext.containers.map((c) => c.component)).not.toContain('haproxy');
    expect(filesFor('web', ext.files).map((f) => f.path)).toEqual([
      'haproxy/heal-pyroscope.cfg',
      'haproxy/validate-wrapper.cfg',
    ]);
  });
});
