import { describe, expect, it } from 'vitest';
import { decideImages, imageReport, KEPT_WITHOUT_PURGE, NO_RECORD, NOT_PULLED, type EngineContainer, type ImageFacts, type ImageOutcome } from '../../../src/phases/purge-images.js';
import type { FoundOnTier } from '../../../src/phases/uninstall-context.js';
import type { PulledImage } from '../../../src/state/state-file.js';

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
    expect(decideImages(rec, engine(rec, { containers: [container('heal-pyroscope-grafana', rec[0]!.id, true)] }))).toEqual([{ ref: GRAFANA, action: 'remove' }]);
  });

  it('keeps an image another container uses, running or stopped, naming it', () => {
    const rec = [pulled(GRAFANA)];
    const decided = decideImages(rec, engine(rec, { containers: [container('foo', rec[0]!.id), container('bar', rec[0]!.id)] }));
    expect(decided).toEqual([{ ref: GRAFANA, action: 'keep', reason: 'used by containers foo, bar' }]);
    expect(decideImages(rec, engine(rec, { containers: [container('foo', rec[0]!.id)] }))[0]!.reason).toBe('used by container foo');
  });

  it('keeps the image when its tag now names another image than the one pulled', () => {
    const rec = [pulled(GRAFANA, 'sha256:1111111111111111')];
    const decided = decideImages(rec, engine(rec, { resolved: new Map([[GRAFANA, 'sha256:2222222222222222']]) }));
    expect(decided).toEqual([{ ref: GRAFANA, action: 'keep', reason: 'the tag now names another image (222222222222) than the one heal-pyroscope pulled (111111111111)' }]);
  });

  it('reports an image that is no longer there as gone, so its record is dropped', () => {
    const rec = [pulled(GRAFANA)];
    expect(decideImages(rec, engine(rec, { resolved: new Map([[GRAFANA, null]]) }))).toEqual([{ ref: GRAFANA, action: 'gone' }]);
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
  const found = (images: FoundOnTier['images']): FoundOnTier[] => [{ tier: 'app', machine: 'app-01', containers: [], networks: [], volumes: [], directory: true, root: true, images }];
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
