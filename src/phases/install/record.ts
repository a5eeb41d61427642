// Phase: remember what this install left on each host (container, image and its ID, spec hash) in
// the local state file, next to the credentials.

import type { InstalledComponent } from '../../state/state-file.js';
import { specOf, type PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { specHash } from '../../plan/container-spec.js';

export const recordPhase: Phase<PlannedInstall> = {
  id: 'record',
  title: 'Record the installation',
  async run(ctx) {
    const components: Record<string, InstalledComponent> = {};
    for (const outcome of ctx.report.outcomes) {
      const spec = specOf(ctx.planned, (s) => s.name === outcome.name, outcome.name);
      const entry: InstalledComponent = {
        host: outcome.machine,
        container: outcome.name,
        image: spec.image,
        imageId: outcome.imageId ?? '',
        specHash: specHash(spec),
      };
      components[outcome.component] = entry;
    }
    await ctx.planned.state.update(
      (s) => ({ ...s, installedAt: new Date().toISOString(), installerVersion: ctx.installerVersion, components }),
      'always',
    );
    return ctx.statePath;
  },
  dryRun: (ctx) => [`record the installation in ${ctx.statePath}`],
};
