import { describe, expect, it } from 'vitest';
import { Deadline, formatDuration } from '../../../src/remote/deadline.js';
import { Limiter } from '../../../src/remote/limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Deadline', () => {
  it('expires after its time', async () => {
    let expired = false;
    new Deadline(20, () => (expired = true));
    await sleep(60);
    expect(expired).toBe(true);
  });

  it('does not run while paused for a prompt', async () => {
    let expired = false;
    const deadline = new Deadline(40, () => (expired = true));
    await deadline.paused(() => sleep(80));
    expect(expired).toBe(false);
    deadline.clear();
  });

  it('never fires once cleared', async () => {
    let expired = false;
    new Deadline(10, () => (expired = true)).clear();
    await sleep(30);
    expect(expired).toBe(false);
  });
});

describe('formatDuration', () => {
  it('uses ms below a second and seconds above', () => {
    expect(formatDuration(500)).toBe('500 ms');
    expect(formatDuration(10_000)).toBe('10 s');
    expect(formatDuration(1500)).toBe('1.5 s');
  });
});

describe('Limiter', () => {
  it('never runs more tasks at once than its limit', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++active);
          await sleep(5);
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});
