// Phase: Pyroscope, Tempo and Grafana on the app host, in start order, each waited for on its
// health endpoint.

import { applyContainer } from './containers.js';
import type { PlannedInstall } from './context.js';
import type { Phase } from '../phase.js';
import { containerLines } from './front-door.js';

export const servicesPhase: Phase<PlannedInstall> = {
  id: 'services',
  title: 'Services (Pyroscope, Tempo, Grafana)',
  async run(ctx, io) {
    const results: string[] = [];
    for (const spec of ctx.planned.specs.filter((s) => s.tier === 'app')) {
      const outcome = await applyContainer(ctx, spec, io);
      ctx.report.outcomes.push(outcome);
      results.push(`${spec.component} ${outcome.action}`);
    }
    return results.join(', ');
  },
  dryRun: (ctx) => containerLines(ctx, 'app'),
};
