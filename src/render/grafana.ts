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

export function renderGrafana(ctx: RenderContext): ComponentRender {
  const template = 'grafana/datasources.yaml';
  const datasources = fillTemplate(
    template,
    loadTemplate(template),
    {
      pyroscope_name: 'Pyroscope',
      pyroscope_uid: DATASOURCE_UIDS.pyroscope,
      // Same user-defined Docker network on the app host: reach the containers by name.
      pyroscope_url: `http://${containerName(component('pyroscope'))}:${PORTS.pyroscope}`,
      tempo_name: 'Tempo',
      tempo_uid: DATASOURCE_UIDS.tempo,
      tempo_url: `http://${containerName(component('tempo'))}:${PORTS.tempoHttp}`,
      profile_type_id: PROFILE_TYPE_CPU,
    },
    yamlScalar,
  );

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
