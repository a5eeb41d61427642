// Phase: the HAProxy front door on the web host. With `--front-door external` no container runs:
// the configuration phase wrote the sections for the operator's own HAProxy to include.

import { EXTERNAL_SNIPPET_PATH } from '../render/haproxy.js';
import { applyContainer } from './containers.js';
import { tierHost, type InstallContext } from './context.js';
import { tierDir } from './host-paths.js';
import type { Phase } from './phase.js';
import type { ServerTier } from './plan.js';

export function containerLines(ctx: InstallContext, tier: ServerTier): string[] {
  return ctx.plan!.tiers.filter((t) => t.tier === tier).flatMap((t) => t.containers.map((c) => `${t.machine}: ${c.action} ${c.name}${c.reason ? ` (${c.reason})` : ''}`));
}

export function externalSnippetPath(): string {
  return `${tierDir('web')}/${EXTERNAL_SNIPPET_PATH}`;
}

export const frontDoorPhase: Phase<InstallContext> = {
  id: 'front-door',
  title: 'Front door (HAProxy on 9940)',
  async run(ctx, io) {
    if (ctx.options.frontDoor === 'external') {
      return `no container: include ${externalSnippetPath()} in your HAProxy on ${tierHost(ctx, 'web').machine.name} and reload it`;
    }
    const th = tierHost(ctx, 'web');
    const spec = ctx.specs.find((s) => s.component === 'haproxy')!;
    const outcome = await applyContainer(ctx, th, spec, io);
    ctx.outcomes.push(outcome);
    return `haproxy ${outcome.action}`;
  },
  dryRun: (ctx) => (ctx.options.frontDoor === 'external' ? [`write ${externalSnippetPath()} for your HAProxy; start no container`] : containerLines(ctx, 'web')),
};
