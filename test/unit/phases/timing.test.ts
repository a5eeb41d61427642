import { describe, expect, it } from 'vitest';
import { timingLine } from '../../../src/console/progress.js';
import type { Phase } from '../../../src/runner/phase.js';
import { runPhases } from '../../../src/runner/runner.js';
import { beginActivity, noteActivity, openActivityWindow, timed } from '../../../src/remote/activity.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-phase and per-host timing', () => {
  it('gives each host the span from its first operation start to its last one end', () => {
    const t = performance.now();
    const window = openActivityWindow();
    noteActivity(['web-01'], t + 100, t + 150);
    noteActivity(['web-01', 'app-01'], t + 120, t + 400);
    noteActivity(['web-01'], t + 90, t + 110);
    expect(window.close()).toEqual({ 'web-01': 310, 'app-01': 280 });
  });

  it('counts an operation begun before the window from the window start', () => {
    const window = openActivityWindow();
    const opened = performance.now();
    noteActivity(['app-01'], opened - 5000, opened + 50);
    expect(window.close()['app-01']).toBeLessThanOrEqual(51);
  });

  it('counts an operation only in the windows open while it ran', () => {
    noteActivity(['db-01'], 0, 10);
    const window = openActivityWindow();
    const empty = window.close();
    noteActivity(['db-01'], 20, 30);
    expect(empty).toEqual({});
  });

  it('times a failed operation too', async () => {
    const window = openActivityWindow();
    await expect(
      timed(['t1'], async () => {
        await tick(20);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(window.close()['t1']).toBeGreaterThanOrEqual(15);
  });

  it('records each phase wall time and its hosts times, not-run phases without either', async () => {
    const phases: Phase<object>[] = [
      {
        id: 'a',
        title: 'First',
        run: async () => {
          await timed(['web-01'], () => tick(30));
        },
      },
      {
        id: 'b',
        title: 'Second',
        run: async () => {
          throw new Error('boom');
        },
      },
      { id: 'c', title: 'Third', run: async () => undefined },
    ];
    const result = await runPhases(phases, {});
    const [first, second, third] = result.phases;
    expect(first?.ms).toBeGreaterThanOrEqual(25);
    expect(first?.hosts?.['web-01']).toBeGreaterThanOrEqual(25);
    expect(first!.ms!).toBeGreaterThanOrEqual(first!.hosts!['web-01']!);
    expect(second).toMatchObject({ status: 'failed', hosts: {} });
    expect(second?.ms).toBeTypeOf('number');
    expect(third).toEqual({ id: 'c', title: 'Third', status: 'not-run' });
  });

  it('prints the slowest hosts first on the --verbose line, the rest left to --json', () => {
    const hosts = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`t${String(i + 1).padStart(2, '0')}`, (i + 1) * 10]),
    );
    const line = timingLine({ id: 'p', title: 'Preflight checks', status: 'done', ms: 130, hosts });
    expect(line).toBe(
      'time: Preflight checks: 130 ms (t12 120 ms, t11 110 ms, t10 100 ms, t09 90 ms, t08 80 ms, t07 70 ms, t06 60 ms, t05 50 ms, t04 40 ms, t03 30 ms, 2 more in --json)',
    );
    expect(timingLine({ id: 'p', title: 'Lock', status: 'done', ms: 4, hosts: {} })).toBe('time: Lock: 4 ms');
    expect(timingLine({ id: 'p', title: 'Later', status: 'not-run' })).toBeUndefined();
  });
});

describe('timing of phases that run at the same time', () => {
  it('counts each host in the phase its operations ran for, not in the phase running beside it', async () => {
    const phases: Phase<object>[] = [
      { id: 'start', title: 'Start', run: async () => undefined },
      {
        id: 'pull',
        title: 'Pull',
        after: ['start'],
        run: async () => {
          await timed(['app-01'], () => tick(40));
        },
      },
      {
        id: 'door',
        title: 'Door',
        after: ['start'],
        run: async () => {
          await timed(['web-01'], () => tick(20));
        },
      },
    ];
    const result = await runPhases(phases, {});
    const [, pull, door] = result.phases;
    expect(Object.keys(pull!.hosts!)).toEqual(['app-01']);
    expect(Object.keys(door!.hosts!)).toEqual(['web-01']);
  });

  it('counts an operation that ends in a callback in the window it began in', async () => {
    const first = openActivityWindow();
    const done = await first.run(async () => beginActivity(['db-01']));
    const second = openActivityWindow();
    await tick(10);
    done();
    expect(second.close()).toEqual({});
    expect(first.close()['db-01']).toBeGreaterThanOrEqual(5);
  });
});
