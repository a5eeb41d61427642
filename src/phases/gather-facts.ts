// Phase: read each server tier's host once (containers, images, files, network, volumes), load or
// generate the credentials, render the configuration and decide the plan. Changes nothing.

import { HealError } from '../errors.js';
import { renderContext } from '../render/context.js';
import { renderStack } from '../render/render.js';
import { generateSecrets, loadState } from '../state/state-file.js';
import { COMPONENTS, containerName } from '../stack/manifest.js';
import { containerSpecs } from './container-spec.js';
import { tierHost, type InstallContext } from './context.js';
import type { Phase } from './phase.js';
import { planInstall, remotePath } from './plan.js';
import { gatherTierFacts, resolveFrom } from './remote-facts.js';

export const gatherFactsPhase: Phase<InstallContext> = {
  id: 'facts',
  title: 'Gather facts and plan',
  readOnly: true,
  async run(ctx) {
    const loaded = await loadState(ctx.statePath);
    ctx.stateIsNew = !loaded;
    ctx.state = loaded ?? { version: 1, environment: ctx.topology.environment, secrets: generateSecrets() };

    const web = tierHost(ctx, 'web');
    const app = tierHost(ctx, 'app');
    // Each address as the tier that uses it sees it: web reaches app, app reaches db.
    ctx.addresses = {
      web: await resolveFrom(web, ctx.topology.web.host),
      app: await resolveFrom(web, ctx.topology.app.host),
      db: await resolveFrom(app, ctx.topology.db.host),
    };
    const s = ctx.state.secrets;
    ctx.stack = renderStack(
      renderContext({
        hosts: ctx.addresses,
        grafanaPort: ctx.topology.grafanaPort,
        minio: { accessKey: s.minioAccessKey, secretKey: s.minioSecretKey },
        grafanaAdmin: { user: s.grafanaAdminUser, password: s.grafanaAdminPassword },
        frontDoor: ctx.options.frontDoor,
      }),
    );
    ctx.specs = containerSpecs(ctx.stack, ctx.topology.images, ctx.topology.containers);
    const names = COMPONENTS.map(containerName);
    ctx.facts = await Promise.all(
      ctx.tierHosts.map((th) => gatherTierFacts(th, names, ctx.stack!.files.filter((f) => f.tier === th.tier).map(remotePath))),
    );
    ctx.plan = planInstall(ctx.stack.files, ctx.specs, ctx.facts);
    if (ctx.plan.conflicts.length > 0) {
      throw new HealError({
        code: 'install.conflict',
        message: 'a container with a heal-pyroscope name exists that heal-pyroscope did not create; nothing was changed',
        details: ctx.plan.conflicts,
        hint: 'rename or remove that container yourself: heal-pyroscope never touches what it did not create',
      });
    }
    const pulls = ctx.plan.tiers.reduce((n, t) => n + t.pull.length, 0);
    const changes = ctx.plan.tiers.flatMap((t) => t.containers).filter((c) => c.action !== 'unchanged').length;
    return `${pulls} image(s) to pull, ${changes} container(s) to change`;
  },
};
