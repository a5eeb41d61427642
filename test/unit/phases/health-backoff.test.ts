import { describe, expect, it } from 'vitest';
import { healthPollDelayMs } from '../../../src/phases/install/containers.js';

describe('health waits', () => {
  it('poll with backoff from 50 ms, growing by half, capped at 250 ms', () => {
    expect([0, 1, 2, 3, 4, 5, 30].map(healthPollDelayMs)).toEqual([50, 75, 113, 169, 250, 250, 250]);
  });
});
