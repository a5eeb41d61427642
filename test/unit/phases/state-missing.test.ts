// Install without a state file, over what is left of a stack of ours with no container to read the
// credentials from, is refused: it would generate new credentials over the stack's data (issue 25).
import { describe, expect, it } from 'vitest';
import { refuseNewCredentialsOverAStack } from '../../../src/phases/install/gather-facts.js';
import type { TierFacts } from '../../../src/plan/plan.js';
import { LABELS, PRODUCT } from '../../../src/stack/manifest.js';

function tier(over: Partial<TierFacts> = {}): TierFacts {
  return {
    tier: 'db',
    machine: 'db-01',
    containers: new Map(),
    images: new Map(),
    files: new Map(),
    network: false,
    volumes: new Set(),
    ...over,
  };
}

describe('install without a state file', () => {
  it('goes on when the hosts hold nothing of ours', () => {
    expect(() => refuseNewCredentialsOverAStack('/c/.heal-pyroscope/lab.state.json', [tier()])).not.toThrow();
  });

  it('is refused over a container or a data volume of ours, naming them and where the state belongs', () => {
    const ours = {
      id: 'c1',
      name: 'heal-pyroscope-minio',
      labels: { [LABELS.product]: PRODUCT },
      running: true,
      image: 'm',
    };
    const facts = [
      tier({ containers: new Map([['heal-pyroscope-minio', ours]]), volumes: new Set(['heal-pyroscope-minio-data']) }),
      tier({ tier: 'app', machine: 'app-01' }),
    ];
    expect(() => refuseNewCredentialsOverAStack('/c/.heal-pyroscope/lab.state.json', facts)).toThrow(
      expect.objectContaining({
        code: 'install.state-missing',
        message: expect.stringContaining('no state file at /c/.heal-pyroscope/lab.state.json'),
        details: ['db-01: container heal-pyroscope-minio', 'db-01: volume heal-pyroscope-minio-data'],
      }),
    );
  });

  it('ignores a container of that name that is not ours (install refuses it as a conflict)', () => {
    const foreign = { id: 'c2', name: 'heal-pyroscope-minio', labels: {}, running: true, image: 'm' };
    expect(() =>
      refuseNewCredentialsOverAStack('/s', [tier({ containers: new Map([['heal-pyroscope-minio', foreign]]) })]),
    ).not.toThrow();
  });
});
