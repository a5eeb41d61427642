import { describe, expect, it } from 'vitest';
import { healthPollDelayMs } from '../../../src/phases/install/containers.js';

describe('health waits', () => {
  it('poll with backoff from 100 ms, doubling, capped at 1 s', () => {
    expect([0, 1, 2, 3, 4, 5, 30].map(healthPollDelayMs)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
});
