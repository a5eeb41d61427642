import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from '../../../src/console/output.js';
import { withPhaseProgress } from '../../../src/console/progress.js';
import type { RunnerEvent } from '../../../src/runner/runner.js';

function capture(): { out: ReturnType<typeof createOutput>; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, done) {
      text += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = false;
  return {
    out: createOutput({ json: false, verbose: false }, { stdout: stream, stderr: stream }, {}),
    text: () => text,
  };
}

const phases = [
  { id: 'connect', title: 'Connect' },
  { id: 'images', title: 'Pull images' },
  { id: 'services', title: 'Services' },
];
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('phase progress (plain output, off a terminal)', () => {
  it('shows each phase with its summary as it ends, before the run has finished', async () => {
    const { out, text } = capture();
    let seenMidRun = '';
    await withPhaseProgress(out, phases, async (emit) => {
      emit({ type: 'phase-start', id: 'connect', title: 'Connect' });
      emit({
        type: 'phase-end',
        record: { id: 'connect', title: 'Connect', status: 'done', summary: '3 host(s) connected' },
      });
      await tick();
      await tick();
      seenMidRun = text();
      emit({
        type: 'phase-end',
        record: { id: 'images', title: 'Pull images', status: 'skipped', summary: 'all present' },
      });
      emit({ type: 'phase-end', record: { id: 'services', title: 'Services', status: 'done' } });
    });
    expect(seenMidRun).toContain('Connect: 3 host(s) connected');
    expect(text()).toMatch(/Pull images.*all present/);
    expect(text()).toContain('Services');
  });

  it('lists a dry run plan under its phase', async () => {
    const { out, text } = capture();
    await withPhaseProgress(
      out,
      phases.slice(0, 1),
      async (emit) =>
        emit({
          type: 'phase-end',
          record: {
            id: 'connect',
            title: 'Connect',
            status: 'planned',
            plan: ['web-01: pull haproxy:3.2.4', 'app-01: create heal-pyroscope-tempo'],
          },
        }),
      { dryRun: true },
    );
    expect(text().indexOf('web-01: pull haproxy:3.2.4')).toBeGreaterThan(text().indexOf('Connect'));
    expect(text()).toContain('app-01: create heal-pyroscope-tempo');
  });

  it('marks the failed phase, the phases not run, and prints the rollback after the list, in order', async () => {
    const { out, text } = capture();
    const events: RunnerEvent[] = [
      { type: 'phase-end', record: { id: 'connect', title: 'Connect', status: 'done' } },
      {
        type: 'phase-end',
        record: {
          id: 'images',
          title: 'Pull images',
          status: 'failed',
          error: { code: 'interrupted', message: 'interrupted (Ctrl-C)' },
        },
      },
      { type: 'rollback-start', changes: 2 },
      { type: 'undo', record: { description: 'remove image b', ok: true } },
      { type: 'undo', record: { description: 'remove image a', ok: false, error: 'engine gone' } },
    ];
    await withPhaseProgress(out, phases, async (emit) => {
      for (const e of events) {
        emit(e);
        await tick();
      }
    });
    const t = text();
    expect(t).toMatch(/Pull images.*interrupted \(Ctrl-C\)/);
    expect(t).toMatch(/Services.*not run/);
    expect(t.indexOf('Rolling back 2 change(s)')).toBeGreaterThan(t.indexOf('Services'));
    expect(t.indexOf('remove image a: engine gone')).toBeGreaterThan(t.indexOf('remove image b'));
  });

  it('shows pull progress off a terminal without --verbose, at most one line per host every 2 s', async () => {
    const { out, text } = capture();
    await withPhaseProgress(
      out,
      phases.slice(1, 2),
      async (emit) => {
        for (let i = 0; i < 5; i++)
          emit({ type: 'phase-progress', id: 'images', line: `app-01: grafana/tempo:2.8.1 ${i}/5 layers` });
        emit({ type: 'phase-progress', id: 'images', line: 'db-01: quay.io/minio/minio:x 0/1 layers' });
        emit({ type: 'phase-end', record: { id: 'images', title: 'Pull images', status: 'done' } });
      },
      { alwaysShow: ['images'] },
    );
    expect(text().match(/app-01: grafana\/tempo/g)).toHaveLength(1);
    expect(text()).toContain('db-01: quay.io/minio/minio:x 0/1 layers');
  });

  it("off a terminal, thins pull lines per key, so each of a host's concurrent pulls is shown", async () => {
    const { out, text } = capture();
    await withPhaseProgress(
      out,
      phases.slice(1, 2),
      async (emit) => {
        // Tempo's pull reports far more often than Pyroscope's: Pyroscope's line must still show.
        for (let i = 0; i < 5; i++)
          emit({
            type: 'phase-progress',
            id: 'images',
            line: `app-01: grafana/tempo:2.8.1 ${i}/5 layers`,
            key: 'app-01 grafana/tempo:2.8.1',
          });
        emit({
          type: 'phase-progress',
          id: 'images',
          line: 'app-01: grafana/pyroscope:1.14.0 0/3 layers',
          key: 'app-01 grafana/pyroscope:1.14.0',
        });
        emit({ type: 'phase-end', record: { id: 'images', title: 'Pull images', status: 'done' } });
      },
      { alwaysShow: ['images'] },
    );
    expect(text().match(/app-01: grafana\/tempo/g)).toHaveLength(1);
    expect(text()).toContain('app-01: grafana/pyroscope:1.14.0 0/3 layers');
  });

  it('puts no ✔ on a phase that ran to its end but found failures', async () => {
    const { out, text } = capture();
    await withPhaseProgress(out, [{ id: 'preflight', title: 'Preflight checks' }], async (emit) =>
      emit({
        type: 'phase-end',
        record: {
          id: 'preflight',
          title: 'Preflight checks',
          status: 'done',
          summary: '36 passed, 1 failed',
          verdict: 'fail',
        },
      }),
    );
    expect(text()).toMatch(/✖ Preflight checks: 36 passed, 1 failed/);
    expect(text()).not.toMatch(/✔ Preflight checks/);
  });

  it('shows a skipped phase with its reason', async () => {
    const { out, text } = capture();
    await withPhaseProgress(out, [{ id: 'guard', title: 'Production guard' }], async (emit) =>
      emit({
        type: 'phase-end',
        record: { id: 'guard', title: 'Production guard', status: 'skipped', summary: 'no host could be read' },
      }),
    );
    expect(text()).toMatch(/Production guard.*no host could be read/);
    expect(text()).not.toMatch(/✔ Production guard/);
  });
});
