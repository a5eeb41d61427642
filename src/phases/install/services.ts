// Phase: Pyroscope, Tempo and Grafana on the app host. None needs another to start (Grafana's data
// sources are only asked when someone queries them, and verify does that later), so the three are
// started together and each is waited for on its own health endpoint. Every start settles before
// the phase ends, so a rollback never races one still under way.

import { applyContainer } from './containers.js';
import type { PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { containerLines } from './front-door.js';

export const servicesPhase: Phase<PlannedInstall> = {
  id: 'services',
  title: 'Services (Pyroscope, Tempo, Grafana)',
  // Pyroscope and Tempo store in MinIO's buckets.
  after: ['configuration', 'network', 'images', 'storage'],
  async run(ctx, io) {
    const specs = ctx.planned.specs.filter((s) => s.tier === 'app');
    const settled = await Promise.allSettled(specs.map((spec) => applyContainer(ctx, spec, io)));
    const results: string[] = [];
    for (const outcome of settled) {
      if (outcome.status === 'rejected') continue;
      ctx.report.outcomes.push(outcome.value);
      results.push(`${outcome.value.component} ${outcome.value.action}`);
    }
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return results.join(', ');
  },
  dryRun: (ctx) => containerLines(ctx, 'app'),
};
