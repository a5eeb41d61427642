// The handshake deadline on a fake clock (no real waiting): it fires after its time, stands still
// while a prompt is open, and never fires once cleared. The limiter caps tasks running at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline, formatDuration } from '../../../src/remote/deadline.js';
import { Limiter } from '../../../src/remote/limiter.js';

/** A promise the test settles by hand: stands for a prompt the operator has not answered yet. */
function prompt(): { answer: () => void; asked: Promise<void> } {
  let answer!: () => void;
  const asked = new Promise<void>((resolve) => (answer = resolve));
  return { answer, asked };
}

describe('Deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires after its time', () => {
    let expired = false;
    new Deadline(20, () => (expired = true));
    vi.advanceTimersByTime(19);
    expect(expired).toBe(false);
    vi.advanceTimersByTime(1);
    expect(expired).toBe(true);
  });

  it('does not run while paused for a prompt', async () => {
    let expired = false;
    const deadline = new Deadline(40, () => (expired = true));
    const { answer, asked } = prompt();
    const paused = deadline.paused(() => asked);
    await vi.advanceTimersByTimeAsync(80);
    expect(expired).toBe(false);
    answer();
    await paused;
    deadline.clear();
  });

  it('resumes with the time that was left before the pause', async () => {
    let expired = false;
    const deadline = new Deadline(40, () => (expired = true));
    await vi.advanceTimersByTimeAsync(30);
    const { answer, asked } = prompt();
    const paused = deadline.paused(() => asked);
    await vi.advanceTimersByTimeAsync(1000);
    answer();
    await paused;
    await vi.advanceTimersByTimeAsync(9);
    expect(expired).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toBe(true);
  });

  it('stays stopped until the last of overlapping pauses ends', async () => {
    let expired = false;
    const deadline = new Deadline(10, () => (expired = true));
    const first = prompt();
    const second = prompt();
    const pauses = [deadline.paused(() => first.asked), deadline.paused(() => second.asked)];
    first.answer();
    await pauses[0];
    await vi.advanceTimersByTimeAsync(100);
    expect(expired).toBe(false);
    second.answer();
    await pauses[1];
    await vi.advanceTimersByTimeAsync(10);
    expect(expired).toBe(true);
  });

  it('never fires once cleared', () => {
    let expired = false;
    new Deadline(10, () => (expired = true)).clear();
    vi.advanceTimersByTime(1000);
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
          // Yield to the event loop so the other tasks get their chance to start.
          await new Promise((resolve) => setImmediate(resolve));
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
