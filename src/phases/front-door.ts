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

/** Whether this run writes a new or changed snippet (the operator's HAProxy must then reload). */
export function externalSnippetChanged(ctx: Pick<InstallContext, 'plan'>): boolean {
  const path = externalSnippetPath();
  const planned = ctx.plan?.tiers.flatMap((t) => t.files).find((f) => f.path === path);
  return planned !== undefined && planned.action !== 'keep';
}

/** What the operator does with the snippet: how to include it and whether to reload. */
export function externalFrontDoorSteps(ctx: Pick<InstallContext, 'plan'>, webHost: string): string[] {
  const snippet = externalSnippetPath();
  const include = [
    `include ${snippet} in the HAProxy on ${webHost}: load it after your own configuration,`,
    `  e.g. \`-f /etc/haproxy/haproxy.cfg -f ${snippet}\` (Debian's unit: add \`-f ${snippet}\` to EXTRAOPTS in /etc/default/haproxy)`,
  ];
  if (!externalSnippetChanged(ctx)) return [...include, 'the snippet is unchanged since the last install: no reload needed'];
  return [...include, `then check and reload it there: haproxy -c -f /etc/haproxy/haproxy.cfg -f ${snippet} && systemctl reload haproxy`];
}

export const frontDoorPhase: Phase<InstallContext> = {
  id: 'front-door',
  title: 'Front door (HAProxy on 9940)',
  async run(ctx, io) {
    if (ctx.options.frontDoor === 'external') {
      const reload = externalSnippetChanged(ctx) ? 'and reload it' : '(unchanged: no reload needed)';
      return `no container: include ${externalSnippetPath()} in your HAProxy on ${tierHost(ctx, 'web').machine.name} ${reload}`;
    }
    const th = tierHost(ctx, 'web');
    const spec = ctx.specs.find((s) => s.component === 'haproxy')!;
    const outcome = await applyContainer(ctx, th, spec, io);
    ctx.outcomes.push(outcome);
    return `haproxy ${outcome.action}`;
  },
  dryRun: (ctx) => (ctx.options.frontDoor === 'external' ? [`write ${externalSnippetPath()} for your HAProxy; start no container`] : containerLines(ctx, 'web')),
};
