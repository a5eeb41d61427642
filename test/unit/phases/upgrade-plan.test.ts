import { describe, expect, it } from 'vitest';
import { containerLimits } from '../../../src/config/resolve.js';
import { containerSpecs, specHash, type ContainerSpec } from '../../../src/plan/container-spec.js';
import {
  containerAction,
  describePlan,
  imageChange,
  planInstall,
  type ExistingContainer,
  type TierFacts,
} from '../../../src/plan/plan.js';
import { renderContext } from '../../../src/render/context.js';
import { renderStack } from '../../../src/render/render.js';
import { resolveImages, type ImageOverrides } from '../../../src/stack/image-ref.js';
import { LABELS, PRODUCT } from '../../../src/stack/manifest.js';

const rendered = renderStack(
  renderContext({
    hosts: { web: '10.0.0.1', app: '10.0.0.2', db: '10.0.0.3' },
    grafanaPort: 3000,
    minio: { accessKey: 'heal-key', secretKey: 'secret-key-123456' },
    grafanaAdmin: { user: 'admin', password: 'password-123456' },
  }),
);
const specsWith = (overrides: ImageOverrides = {}) =>
  containerSpecs(rendered, resolveImages(undefined, overrides), containerLimits(undefined));

/** What the engine shows for a container install created from `spec`. */
const installedAs = (spec: ContainerSpec): ExistingContainer => ({
  id: `id-${spec.name}`,
  name: spec.name,
  labels: { [LABELS.product]: PRODUCT, [LABELS.specHash]: specHash(spec) },
  running: true,
  image: spec.image,
});

/** Facts of three hosts on which the stack runs as installed from `specs`. */
function factsOf(specs: ContainerSpec[]): TierFacts[] {
  return (['web', 'app', 'db'] as const).map((tier) => ({
    tier,
    machine: `${tier}-01`,
    containers: new Map(specs.filter((s) => s.tier === tier).map((s) => [s.name, installedAs(s)])),
    images: new Map(specs.filter((s) => s.tier === tier).map((s) => [s.image, `sha256:${s.component}`])),
    files: new Map(),
    network: true,
    volumes: new Set(),
  }));
}

describe('upgrading one component', () => {
  it('names the versions when only the tag changes', () => {
    expect(imageChange('grafana/pyroscope:1.14.0', 'grafana/pyroscope:1.15.0')).toEqual({
      from: '1.14.0',
      to: '1.15.0',
    });
    expect(imageChange('grafana/pyroscope:1.14.0', 'docker.io/grafana/pyroscope:1.15.0')).toEqual({
      from: '1.14.0',
      to: '1.15.0',
    });
  });

  it('names the whole references when the repository or registry changes, or a digest is involved', () => {
    expect(imageChange('grafana/pyroscope:1.14.0', 'registry.internal:5000/grafana/pyroscope:1.15.0')).toEqual({
      from: 'grafana/pyroscope:1.14.0',
      to: 'registry.internal:5000/grafana/pyroscope:1.15.0',
    });
    const digest = `grafana/pyroscope@sha256:${'a'.repeat(64)}`;
    expect(imageChange('grafana/pyroscope:1.14.0', digest)).toEqual({ from: 'grafana/pyroscope:1.14.0', to: digest });
  });

  it('recreates a container whose image changed, saying pyroscope 1.14.0 -> 1.15.0 and that its data volume is kept', () => {
    const before = specsWith().find((s) => s.component === 'pyroscope')!;
    const after = specsWith({ pyroscope: 'grafana/pyroscope:1.15.0' }).find((s) => s.component === 'pyroscope')!;
    expect(containerAction(after, installedAs(before))).toEqual({
      action: 'recreate',
      reason: 'pyroscope 1.14.0 -> 1.15.0, data volume heal-pyroscope-pyroscope-data kept',
      upgrade: { from: '1.14.0', to: '1.15.0' },
    });
  });

  it('is not an upgrade when only the configuration changed', () => {
    const spec = specsWith().find((s) => s.component === 'tempo')!;
    expect(
      containerAction(spec, { ...installedAs(spec), labels: { [LABELS.product]: PRODUCT, [LABELS.specHash]: 'old' } }),
    ).toEqual({ action: 'recreate', reason: 'configuration changed' });
  });

  it('plans to replace only that container and pull only its new image; every other container is unchanged', () => {
    const installed = specsWith();
    const wanted = specsWith({ pyroscope: 'grafana/pyroscope:1.15.0' });
    const plan = planInstall(rendered.files, wanted, factsOf(installed));
    const containers = plan.tiers.flatMap((t) => t.containers);
    expect(containers.filter((c) => c.action !== 'unchanged').map((c) => c.name)).toEqual(['heal-pyroscope-pyroscope']);
    expect(containers.filter((c) => c.action === 'unchanged')).toHaveLength(4);
    expect(plan.tiers.flatMap((t) => t.pull)).toEqual(['grafana/pyroscope:1.15.0']);
    expect(describePlan(plan)).toContain(
      '  recreate heal-pyroscope-pyroscope (pyroscope 1.14.0 -> 1.15.0, data volume heal-pyroscope-pyroscope-data kept)',
    );
  });
});
