// Phase: the HAProxy front door on the web host, once the services behind it answer. With `--front-door external` no container runs:
// the configuration phase wrote the sections for the operator's own HAProxy to include.

import { EXTERNAL_CERTIFICATE_FILE, EXTERNAL_SNIPPET_PATH, EXTERNAL_TENANTS_MAP_FILE } from '../../render/haproxy.js';
import { applyContainer } from './containers.js';
import { specOf, type PlannedInstall } from './context.js';
import { tierDir } from '../../core/host-paths.js';
import type { Phase } from '../../runner/phase.js';
import type { InstallPlan, ServerTier } from '../../plan/plan.js';

export function containerLines(ctx: PlannedInstall, tier: ServerTier): string[] {
  return ctx.planned.plan.tiers
    .filter((t) => t.tier === tier)
    .flatMap((t) => t.containers.map((c) => `${t.machine}: ${c.action} ${c.name}${c.reason ? ` (${c.reason})` : ''}`));
}

export function externalSnippetPath(): string {
  return `${tierDir('web')}/${EXTERNAL_SNIPPET_PATH}`;
}

/** Whether this run writes a new or changed snippet (the operator's HAProxy must then reload). */
export function externalSnippetChanged(plan: InstallPlan | null): boolean {
  const path = externalSnippetPath();
  const file = plan?.tiers.flatMap((t) => t.files).find((f) => f.path === path);
  return file !== undefined && file.action !== 'keep';
}

/** What the operator does with the snippet: how to include it and whether to reload. */
export function externalFrontDoorSteps(
  plan: InstallPlan | null,
  webHost: string,
  tls = false,
  tenants = false,
): string[] {
  const snippet = externalSnippetPath();
  const include = [
    `include ${snippet} in the HAProxy on ${webHost}: load it after your own configuration,`,
    `  e.g. \`-f /etc/haproxy/haproxy.cfg -f ${snippet}\` (Debian's unit: add \`-f ${snippet}\` to EXTRAOPTS ` +
      `in /etc/default/haproxy)`,
    ...(tls
      ? [
          `its bind serves TLS with ${EXTERNAL_CERTIFICATE_FILE} (certificate, CA and key; root's, mode 0600: HAProxy reads ` +
            'it as root at start, before it drops privileges)',
        ]
      : []),
    ...(tenants
      ? [
          `its rules read the tenants' credentials (hashed) from ${EXTERNAL_TENANTS_MAP_FILE} (root's, mode 0600, ` +
            'read at start like the certificate)',
        ]
      : []),
  ];
  if (!externalSnippetChanged(plan))
    return [...include, 'the snippet is unchanged since the last install: no reload needed'];
  return [
    ...include,
    `then check and reload it there: haproxy -c -f /etc/haproxy/haproxy.cfg -f ${snippet} && systemctl reload haproxy`,
  ];
}

export const frontDoorPhase: Phase<PlannedInstall> = {
  id: 'front-door',
  title: 'Front door (HAProxy on 9940)',
  // After the services, though its own health (/healthz) needs none of them: started beside them,
  // HAProxy's first checks fail and mark the servers DOWN, and a DOWN server comes back only after
  // `rise` checks `inter` (10 s) apart, so the data path would stay refused for seconds longer than
  // the 0.4 s this phase takes (seen in the lab with the real haproxy binary).
  after: ['services'],
  async run(ctx, io) {
    if (ctx.options.frontDoor === 'external') {
      const reload = externalSnippetChanged(ctx.planned.plan) ? 'and reload it' : '(unchanged: no reload needed)';
      return (
        `no container: include ${externalSnippetPath()} in your HAProxy on ` +
        `${ctx.hosts.forTier('web').name} ${reload}`
      );
    }
    const spec = specOf(ctx.planned, (s) => s.component === 'haproxy', 'haproxy');
    const outcome = await applyContainer(ctx, spec, io);
    ctx.report.outcomes.push(outcome);
    return `haproxy ${outcome.action}`;
  },
  dryRun: (ctx) =>
    ctx.options.frontDoor === 'external'
      ? [`write ${externalSnippetPath()} for your HAProxy; start no container`]
      : containerLines(ctx, 'web'),
};
