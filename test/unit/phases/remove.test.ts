import { describe, expect, it } from 'vitest';
import {
  findPhase,
  purgeVolumesPhase,
  removeContainersPhase,
  removeFilesPhase,
  removeNetworkPhase,
} from '../../../src/phases/uninstall/remove.js';
import type { UninstallContext } from '../../../src/phases/uninstall/uninstall-context.js';
import { LABELS, NETWORK_NAME, PRODUCT } from '../../../src/stack/manifest.js';
import { fakeStack, recordingIo, uninstallContext, type FakeStack } from '../support/fake-stack.js';

const OURS = { [LABELS.product]: PRODUCT };

/** app-01 runs our Grafana beside someone else's container, network and volume. */
function shared(): FakeStack {
  const stack = fakeStack();
  const engine = stack.app.engine;
  engine.addVolume('heal-pyroscope-grafana-data', { ...OURS, [LABELS.component]: 'grafana' });
  engine.addVolume('their-data');
  engine.addContainer('heal-pyroscope-grafana', { labels: OURS, volume: 'heal-pyroscope-grafana-data' });
  engine.addContainer('their-grafana', { labels: { 'com.example.team': 'ops' } });
  engine.addNetwork(NETWORK_NAME, OURS);
  engine.addNetwork('their-net');
  return stack;
}

async function uninstall(stack: FakeStack, purge = false): Promise<UninstallContext> {
  const ctx = await uninstallContext(stack, purge);
  for (const phase of [findPhase, removeContainersPhase, removeNetworkPhase, removeFilesPhase, purgeVolumesPhase]) {
    if (!phase.shouldRun || phase.shouldRun(ctx)) await phase.run(ctx, recordingIo());
  }
  return ctx;
}

describe('uninstall: what is removed', () => {
  it('removes only the containers and the network that carry our labels', async () => {
    const stack = shared();
    const ctx = await uninstall(stack);
    expect(stack.app.engine.containers.map((c) => c.name)).toEqual(['their-grafana']);
    expect(stack.app.engine.networks.map((n) => n.name)).toEqual(['their-net']);
    expect(ctx.report.removed).toEqual(
      expect.arrayContaining(['app-01: container heal-pyroscope-grafana', `app-01: network ${NETWORK_NAME}`]),
    );
  });

  it('keeps the data volumes without --purge', async () => {
    const stack = shared();
    await uninstall(stack);
    expect(stack.app.engine.volumes.map((v) => v.name)).toEqual(['heal-pyroscope-grafana-data', 'their-data']);
  });

  it('removes our data volumes, and only ours, with --purge', async () => {
    const stack = shared();
    const ctx = await uninstall(stack, true);
    expect(stack.app.engine.volumes.map((v) => v.name)).toEqual(['their-data']);
    expect(ctx.report.removed).toContain('app-01: volume heal-pyroscope-grafana-data');
  });

  it('removes each tier directory, and the root only when nothing else is left in it', async () => {
    const stack = shared();
    stack.app.onExec('if [ ! -d', { stdout: 'kept\n' });
    stack.db.onExec('test -d /opt/heal-pyroscope', { code: 1 });
    const ctx = await uninstall(stack);
    expect(stack.app.ran('rm -rf')).toEqual([['rm', '-rf', '--', '/opt/heal-pyroscope/app']]);
    expect(stack.db.ran('rm -rf')).toEqual([]);
    expect(ctx.report.rootsKept).toEqual(['app-01']);
    expect(ctx.report.removed).toContain('web-01: /opt/heal-pyroscope/web');
  });

  it('finishes what an earlier run left: something already gone is not an error', async () => {
    const stack = shared();
    const ctx = await uninstallContext(stack);
    await findPhase.run(ctx, recordingIo());
    await stack.app.engine.removeContainer('heal-pyroscope-grafana');
    await stack.app.engine.removeNetwork(NETWORK_NAME);
    await removeContainersPhase.run(ctx, recordingIo());
    await removeNetworkPhase.run(ctx, recordingIo());
    expect(stack.app.engine.containers.map((c) => c.name)).toEqual(['their-grafana']);
  });
});
