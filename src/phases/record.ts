// Phase: remember what this install left on each host (container, image and its ID, spec hash) in
// the local state file, next to the credentials.

import { saveState, type InstalledComponent } from '../state/state-file.js';
import type { InstallContext } from './context.js';
import type { Phase } from './phase.js';
import { specHash } from './container-spec.js';

export const recordPhase: Phase<InstallContext> = {
  id: 'record',
  title: 'Record the installation',
  async run(ctx) {
    const components: NonNullable<typeof ctx.state>['components'] = {};
    for (const outcome of ctx.outcomes) {
      const spec = ctx.specs.find((s) => s.name === outcome.name)!;
      const entry: InstalledComponent = { host: outcome.machine, container: outcome.name, image: spec.image, imageId: outcome.imageId ?? '', specHash: specHash(spec) };
      components[outcome.component] = entry;
    }
    ctx.state = { ...ctx.state!, installedAt: new Date().toISOString(), installerVersion: ctx.installerVersion, components };
    await saveState(ctx.statePath, ctx.state);
    return ctx.statePath;
  },
  dryRun: (ctx) => [`record the installation in ${ctx.statePath}`],
};
