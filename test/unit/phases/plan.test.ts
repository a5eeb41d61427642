import { describe, expect, it } from 'vitest';
import { renderContext } from '../../../src/render/context.js';
import { renderStack } from '../../../src/render/render.js';
import { containerSpecs, specHash } from '../../../src/plan/container-spec.js';
import { containerAction, planInstall, remotePath, type TierFacts } from '../../../src/plan/plan.js';
import { LABELS, PRODUCT } from '../../../src/stack/manifest.js';
import { containerLimits } from '../../../src/config/resolve.js';
import { resolveImages } from '../../../src/stack/image-ref.js';

const stack = (secretKey = 'secret-key-123456', grafanaPort = 3000) =>
  renderStack(
    renderContext({
      hosts: { web: '10.0.0.1', app: '10.0.0.2', db: '10.0.0.3' },
      grafanaPort,
      minio: { accessKey: 'heal-key', secretKey },
      grafanaAdmin: { user: 'admin', password: 'password-123456' },
    }),
  );
const specs = (s = stack()) => containerSpecs(s, resolveImages(), containerLimits(undefined));
const empty = (tier: TierFacts['tier']): TierFacts => ({
  tier,
  machine: `${tier}-01`,
  containers: new Map(),
  images: new Map(),
  files: new Map(),
  network: false,
  volumes: new Set(),
});
const ours = (name: string, hash: string, running = true) => ({
  id: name,
  name,
  labels: { [LABELS.product]: PRODUCT, [LABELS.specHash]: hash },
  running,
  image: 'x',
});

describe('install plan', () => {
  it('hashes a spec the same way every time and differently when a mounted file changes', () => {
    const a = specs().find((s) => s.component === 'pyroscope')!;
    expect(specHash(a)).toBe(specHash(specs().find((s) => s.component === 'pyroscope')!));
    expect(specHash(a)).not.toBe(
      specHash(specs(stack('another-secret-123')).find((s) => s.component === 'pyroscope')!),
    );
  });

  it('changes only the hashes of the containers a setting affects', () => {
    const before = specs();
    const after = specs(stack(undefined, 3001));
    const changed = before.filter((s, i) => specHash(s) !== specHash(after[i]!)).map((s) => s.component);
    expect(changed).toEqual(['grafana']);
  });

  it('creates what is missing, keeps what matches, recreates what differs, starts what is stopped', () => {
    const spec = specs()[0]!;
    expect(containerAction(spec, undefined)).toEqual({ action: 'create' });
    expect(containerAction(spec, ours(spec.name, specHash(spec)))).toEqual({ action: 'unchanged' });
    expect(containerAction(spec, ours(spec.name, specHash(spec), false))).toEqual({ action: 'start' });
    expect(containerAction(spec, ours(spec.name, 'old'))).toMatchObject({ action: 'recreate' });
  });

  it('refuses to touch a container with our name that carries no product label', () => {
    const spec = specs()[0]!;
    expect(
      containerAction(spec, { id: 'f', name: spec.name, labels: {}, running: true, image: 'nginx' }),
    ).toHaveProperty('conflict');
  });

  it('pulls only absent images and writes only files whose content, mode or owner differ', () => {
    const s = stack();
    const db = empty('db');
    db.images.set('quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z', 'sha256:1');
    const user = s.files.find((f) => f.path === 'minio/root-user')!;
    db.files.set(remotePath(user), { sha256: '0b0c', mode: 0o600, uid: 0, gid: 0 });
    const plan = planInstall(s.files, specs(s), [empty('web'), empty('app'), db]);
    const dbPlan = plan.tiers.find((t) => t.tier === 'db')!;
    expect(dbPlan.pull).toEqual([]);
    expect(dbPlan.files.find((f) => f.path.endsWith('root-user'))!.action).toBe('update');
    expect(plan.tiers.find((t) => t.tier === 'app')!.pull).toHaveLength(3);
  });
});
