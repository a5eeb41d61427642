import { describe, expect, it } from 'vitest';
import {
  decideImages,
  imageReport,
  KEPT_WITHOUT_PURGE,
  NO_RECORD,
  NOT_PULLED,
  purgeImagesPhase,
  type EngineContainer,
  type ImageFacts,
  type ImageOutcome,
} from '../../../src/phases/uninstall/purge-images.js';
import { findPhase, removeContainersPhase } from '../../../src/phases/uninstall/remove.js';
import type { FoundOnTier, UninstallContext } from '../../../src/phases/uninstall/uninstall-context.js';
import { generateSecrets, loadState, saveState, type PulledImage } from '../../../src/state/state-file.js';
import { LABELS, PRODUCT } from '../../../src/stack/manifest.js';
import { fakeStack, recordingIo, uninstallContext, type FakeStack } from '../support/fake-stack.js';

const GRAFANA = 'grafana/grafana:12.2.1';
const TEMPO = 'grafana/tempo:2.8.1';
const pulled = (ref: string, id = `sha256:${ref.length}aaaa`): PulledImage => ({ ref, id, from: 'registry' });
const container = (name: string, imageId: string, ours = false): EngineContainer => ({ name, imageId, ours });

/** An engine where every recorded reference still names the image that was pulled. */
function engine(recorded: PulledImage[], over: Partial<ImageFacts> = {}): ImageFacts {
  return { resolved: new Map(recorded.map((p) => [p.ref, p.id])), containers: [], stackRefs: [], ...over };
}

describe('which images uninstall --purge removes', () => {
  it('removes an image an install pulled when no container uses it', () => {
    const rec = [pulled(GRAFANA)];
    expect(decideImages(rec, engine(rec))).toEqual([{ ref: GRAFANA, action: 'remove' }]);
  });

  it('removes it even though our own container still runs it: ours are removed first', () => {
    const rec = [pulled(GRAFANA)];
    expect(
      decideImages(rec, engine(rec, { containers: [container('heal-pyroscope-grafana', rec[0]!.id, true)] })),
    ).toEqual([{ ref: GRAFANA, action: 'remove' }]);
  });

  it('keeps an image another container uses, running or stopped, naming it', () => {
    const rec = [pulled(GRAFANA)];
    const decided = decideImages(
      rec,
      engine(rec, { containers: [container('foo', rec[0]!.id), container('bar', rec[0]!.id)] }),
    );
    expect(decided).toEqual([{ ref: GRAFANA, action: 'keep', reason: 'used by containers foo, bar' }]);
    expect(decideImages(rec, engine(rec, { containers: [container('foo', rec[0]!.id)] }))[0]).toMatchObject({
      reason: 'used by container foo',
    });
  });

  it('keeps the image when its tag now names another image than the one pulled', () => {
    const rec = [pulled(GRAFANA, 'sha256:1111111111111111')];
    const decided = decideImages(rec, engine(rec, { resolved: new Map([[GRAFANA, 'sha256:2222222222222222']]) }));
    expect(decided).toEqual([
      {
        ref: GRAFANA,
        action: 'keep',
        reason: 'the tag now names another image (222222222222) than the one heal-pyroscope pulled (111111111111)',
      },
    ]);
  });

  it('reports an image that is no longer there as gone, so its record is dropped', () => {
    const rec = [pulled(GRAFANA)];
    expect(decideImages(rec, engine(rec, { resolved: new Map([[GRAFANA, null]]) }))).toEqual([
      { ref: GRAFANA, action: 'gone' },
    ]);
  });

  it('keeps a stack image that was on the host before the install: nothing records it as pulled', () => {
    const rec = [pulled(GRAFANA)];
    expect(decideImages(rec, engine(rec, { stackRefs: [GRAFANA, TEMPO] }))).toEqual([
      { ref: GRAFANA, action: 'remove' },
      { ref: TEMPO, action: 'keep', reason: NOT_PULLED },
    ]);
  });

  it('removes nothing when the state file records no pulls at all (an older state file), and says why', () => {
    expect(decideImages(undefined, engine([], { stackRefs: [GRAFANA, TEMPO, GRAFANA] }))).toEqual([
      { ref: GRAFANA, action: 'keep', reason: NO_RECORD },
      { ref: TEMPO, action: 'keep', reason: NO_RECORD },
    ]);
  });

  it('has nothing to decide on a machine where installs pulled nothing', () => {
    expect(decideImages([], engine([]))).toEqual([]);
  });
});

describe('the images part of the uninstall summary', () => {
  const found = (images: FoundOnTier['images']): FoundOnTier[] => [
    {
      tier: 'app',
      machine: 'app-01',
      containers: [],
      networks: [],
      volumes: [],
      directory: true,
      root: true,
      images,
      flowRules: false,
    },
  ];
  const decided = found([
    { ref: GRAFANA, action: 'keep', reason: 'used by container foo' },
    { ref: TEMPO, action: 'remove' },
    { ref: 'grafana/pyroscope:1.14.0', action: 'gone' },
  ]);

  it('without --purge, keeps every image, the pulled ones because --purge was not given', () => {
    const report = imageReport(decided, [], { purge: false, dryRun: false, recorded: true });
    expect(report.removed).toEqual([]);
    expect(report.kept).toEqual([
      { machine: 'app-01', ref: GRAFANA, reason: 'used by container foo' },
      { machine: 'app-01', ref: TEMPO, reason: KEPT_WITHOUT_PURGE },
    ]);
  });

  it('in a dry run with --purge, lists what would be removed and what would stay', () => {
    const report = imageReport(decided, [], { purge: true, dryRun: true, recorded: true });
    expect(report.wouldRemove).toEqual([{ machine: 'app-01', ref: TEMPO }]);
    expect(report.kept.map((k) => k.ref)).toEqual([GRAFANA]);
    expect(report.removed).toEqual([]);
  });

  it('after a purge, tells what Docker did: an image found in use at removal (409) is kept, not failed', () => {
    const outcomes: ImageOutcome[] = [
      { machine: 'app-01', ref: GRAFANA, result: 'kept', reason: 'used by container foo' },
      { machine: 'app-01', ref: TEMPO, result: 'kept', reason: 'in use (Docker: conflict)' },
      { machine: 'app-01', ref: 'grafana/pyroscope:1.14.0', result: 'gone' },
    ];
    const report = imageReport(decided, outcomes, { purge: true, dryRun: false, recorded: true });
    expect(report.kept.map((k) => k.reason)).toEqual(['used by container foo', 'in use (Docker: conflict)']);
    expect(report.alreadyGone).toEqual([{ machine: 'app-01', ref: 'grafana/pyroscope:1.14.0' }]);
  });

  it('says the purge did not reach an image when it stopped before the images', () => {
    const report = imageReport(decided, [], { purge: true, dryRun: false, recorded: true });
    expect(report.kept.find((k) => k.ref === TEMPO)!.reason).toMatch(/not reached/);
  });
});

describe('uninstall --purge on the engine', () => {
  /** app-01 where installs pulled Grafana and Tempo; our Grafana container runs, Pyroscope was there before. */
  async function installed(): Promise<FakeStack> {
    const stack = fakeStack();
    const engine = stack.app.engine;
    const grafana = engine.addImage(GRAFANA);
    const tempo = engine.addImage(TEMPO);
    engine.addImage('grafana/pyroscope:1.14.0');
    engine.addContainer('heal-pyroscope-grafana', { image: GRAFANA, labels: { [LABELS.product]: PRODUCT } });
    engine.addContainer('heal-pyroscope-pyroscope', {
      image: 'grafana/pyroscope:1.14.0',
      labels: { [LABELS.product]: PRODUCT },
    });
    const pulledImages = { 'app-01': [pulled(GRAFANA, grafana.id), pulled(TEMPO, tempo.id)] };
    await saveState(stack.statePath, { version: 1, environment: 'lab', secrets: generateSecrets(), pulledImages });
    return stack;
  }

  async function purge(stack: FakeStack, between: () => void = () => undefined): Promise<UninstallContext> {
    const ctx = await uninstallContext(stack, true);
    await findPhase.run(ctx, recordingIo());
    await removeContainersPhase.run(ctx, recordingIo());
    between();
    await purgeImagesPhase.run(ctx, recordingIo());
    return ctx;
  }

  it('removes the images installs pulled once our containers are gone, and forgets them', async () => {
    const stack = await installed();
    const ctx = await purge(stack);
    expect(stack.app.engine.images.flatMap((i) => i.tags)).toEqual(['grafana/pyroscope:1.14.0']);
    expect(ctx.report.images).toEqual([
      { machine: 'app-01', ref: GRAFANA, result: 'removed' },
      { machine: 'app-01', ref: TEMPO, result: 'removed' },
      { machine: 'app-01', ref: 'grafana/pyroscope:1.14.0', result: 'kept', reason: NOT_PULLED },
    ]);
    expect((await loadState(stack.statePath))?.pulledImages).toEqual({});
  });

  it('keeps a pulled image another container uses, and never asks Docker to remove it', async () => {
    const stack = await installed();
    stack.app.engine.addContainer('their-dashboard', { image: GRAFANA, running: false });
    const ctx = await purge(stack);
    expect(ctx.report.images[0]).toEqual({
      machine: 'app-01',
      ref: GRAFANA,
      result: 'kept',
      reason: 'used by container their-dashboard',
    });
    expect(stack.app.engine.calls.filter((c) => c.startsWith('removeImage'))).toEqual([`removeImage ${TEMPO}`]);
    expect((await loadState(stack.statePath))?.pulledImages?.['app-01']?.map((p) => p.ref)).toEqual([GRAFANA]);
  });

  it("keeps an image Docker refuses because a container started using it meanwhile, with Docker's words", async () => {
    const stack = await installed();
    const ctx = await purge(stack, () => stack.app.engine.addContainer('late-comer', { image: TEMPO }));
    expect(ctx.report.images[1]).toMatchObject({
      ref: TEMPO,
      result: 'kept',
      reason: expect.stringMatching(
        /^in use \(Docker: conflict: unable to remove repository reference "grafana\/tempo:2\.8\.1" \(must force\)/,
      ),
    });
    expect(stack.app.engine.images.flatMap((i) => i.tags)).toContain(TEMPO);
  });

  it('reports a pulled image that is already gone, and forgets it', async () => {
    const stack = await installed();
    await stack.app.engine.removeImage(TEMPO);
    const ctx = await purge(stack);
    expect(ctx.report.images[1]).toEqual({ machine: 'app-01', ref: TEMPO, result: 'gone' });
  });
});
