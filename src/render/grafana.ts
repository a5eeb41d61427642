// Grafana's provisioned data sources (Pyroscope, and Tempo linked to it for traces-to-profiles)
// and the admin password as a file, so the password never appears in the container's Env.

import { component, containerName } from '../stack/manifest.js';
import type { ComponentRender } from './component-render.js';
import type { RenderContext } from './context.js';
import { PORTS } from './ports.js';
import { containerOwner, PUBLIC_MODE } from './rendered-file.js';
import { fillTemplate, loadTemplate } from './template.js';
import { yamlScalar } from './yaml-scalar.js';

/** Fixed uids: dashboards and the traces-to-profiles link refer to data sources by uid. */
export const DATASOURCE_UIDS = {
  pyroscope: 'heal-pyroscope-profiles',
  tempo: 'heal-pyroscope-traces',
} as const;

export const PROFILE_TYPE_CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
export const GRAFANA_DATASOURCES_TARGET = '/etc/grafana/provisioning/datasources/heal-pyroscope.yaml';
export const GRAFANA_PASSWORD_TARGET = '/run/secrets/grafana-admin-password';
/** Read once by the entrypoint, as uid 472; nobody writes it afterwards. */
const PASSWORD_MODE = 0o400;

/** The uids of the provisioned data sources: one pair, or one per tenant (`-TENANT`). */
export function datasourceUids(tenants: readonly string[] | null): string[] {
  const pair = (suffix: string) => [`${DATASOURCE_UIDS.pyroscope}${suffix}`, `${DATASOURCE_UIDS.tempo}${suffix}`];
  return tenants === null ? pair('') : tenants.flatMap((t) => pair(`-${t}`));
}

/** The header Pyroscope and Tempo read the tenant from. */
export const TENANT_HEADER = 'X-Scope-OrgID';

/** A YAML template whose `*_fragment` slots take lines made here, already escaped. */
function fill(template: string, values: Record<string, string | number | boolean>): string {
  return fillTemplate(template, loadTemplate(template), values, (v, name) =>
    name.endsWith('_fragment') ? String(v) : yamlScalar(v),
  );
}

function datasourcePair(tenant: string | null): string {
  const suffix = tenant === null ? '' : `-${tenant}`;
  const named = (title: string) => (tenant === null ? title : `${title} (${tenant})`);
  const pyroscopeUid = `${DATASOURCE_UIDS.pyroscope}${suffix}`;
  // Grafana adds httpHeaderName1 with the value of secureJsonData.httpHeaderValue1 to every request.
  const header = (indent: string) =>
    tenant === null ? '' : `${indent}httpHeaderName1: ${yamlScalar(TENANT_HEADER)}\n`;
  const secure = tenant === null ? '' : `    secureJsonData:\n      httpHeaderValue1: ${yamlScalar(tenant)}\n`;
  return fill('grafana/datasource-pair.yaml', {
    pyroscope_name: named('Pyroscope'),
    pyroscope_uid: pyroscopeUid,
    // Same user-defined Docker network on the app host: reach the containers by name.
    pyroscope_url: `http://${containerName(component('pyroscope'))}:${PORTS.pyroscope}`,
    pyroscope_tenant_fragment: tenant === null ? '' : `    jsonData:\n${header('      ')}${secure}`,
    tempo_name: named('Tempo'),
    tempo_uid: `${DATASOURCE_UIDS.tempo}${suffix}`,
    tempo_url: `http://${containerName(component('tempo'))}:${PORTS.tempoHttp}`,
    tempo_header_fragment: header('      '),
    tempo_secure_fragment: secure,
    profile_type_id: PROFILE_TYPE_CPU,
  });
}

export function renderGrafana(ctx: RenderContext): ComponentRender {
  const pairs = ctx.tenants === null ? [null] : ctx.tenants.map((t) => t.name);
  const datasources = fill('grafana/datasources.yaml', {
    pairs_fragment: pairs.map((t) => datasourcePair(t).trimEnd()).join('\n\n'),
    // Grafana keeps a provisioned data source that leaves the file: the pair without a tenant, left
    // by an install before tenants, would only answer 401 now.
    deletions_fragment:
      ctx.tenants === null
        ? ''
        : `\n# The data sources of the stack without tenants, which Pyroscope and Tempo now refuse.\ndeleteDatasources:\n${[
            'Pyroscope',
            'Tempo',
          ]
            .map((name) => `  - name: ${yamlScalar(name)}\n    orgId: 1\n`)
            .join('')}`,
  });

  const owner = containerOwner('grafana');
  return {
    component: 'grafana',
    files: [
      {
        tier: 'app',
        component: 'grafana',
        path: 'grafana/provisioning/datasources/heal-pyroscope.yaml',
        content: datasources,
        mode: PUBLIC_MODE,
        owner,
        secret: false,
        mountTarget: GRAFANA_DATASOURCES_TARGET,
      },
      {
        tier: 'app',
        component: 'grafana',
        path: 'grafana/admin-password',
        // No trailing newline: the entrypoint's $(cat FILE) would drop it anyway.
        content: ctx.grafanaAdmin.password,
        mode: PASSWORD_MODE,
        owner,
        secret: true,
        mountTarget: GRAFANA_PASSWORD_TARGET,
      },
    ],
    args: null,
    env: {
      GF_SECURITY_ADMIN_USER: ctx.grafanaAdmin.user,
      // The image's run.sh exports the file's content as GF_SECURITY_ADMIN_PASSWORD inside the
      // container only; it exits if GF_SECURITY_ADMIN_PASSWORD is also set.
      GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_PASSWORD_TARGET,
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
      // No internet from the app host is assumed: Grafana 12 would otherwise try to install its
      // default plugins from grafana.com at every start, and look for updates and news.
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_NEWS_NEWS_FEED_ENABLED: 'false',
    },
  };
}
