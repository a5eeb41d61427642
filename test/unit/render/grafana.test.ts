import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderContext } from '../../../src/render/context.js';
import { datasourceUids, renderGrafana } from '../../../src/render/grafana.js';
import { sampleInput } from './sample-context.js';

const password = 'gr:af#ana"pw$x with space';
const render = renderGrafana(renderContext(sampleInput({ grafanaAdmin: { user: 'ops', password } })));
const byPath = (path: string) => {
  const found = render.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found;
};

describe('grafana/provisioning/datasources/heal-pyroscope.yaml', () => {
  const file = byPath('grafana/provisioning/datasources/heal-pyroscope.yaml');
  const doc = parse(file.content);

  it('provisions Pyroscope by container name with a fixed uid', () => {
    expect(doc.apiVersion).toBe(1);
    expect(doc.datasources[0]).toEqual({
      name: 'Pyroscope',
      type: 'grafana-pyroscope-datasource',
      uid: 'heal-pyroscope-profiles',
      access: 'proxy',
      url: 'http://heal-pyroscope-pyroscope:4040',
      editable: false,
    });
  });

  it('provisions Tempo with traces-to-profiles linked to the Pyroscope uid', () => {
    const [pyroscope, tempo] = doc.datasources;
    expect(tempo).toMatchObject({
      type: 'tempo',
      uid: 'heal-pyroscope-traces',
      url: 'http://heal-pyroscope-tempo:3200',
    });
    expect(tempo.jsonData.tracesToProfiles).toEqual({
      datasourceUid: pyroscope.uid,
      profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
      tags: [{ key: 'service.name', value: 'service_name' }],
      customQuery: false,
    });
  });

  it('contains no $: Grafana expands environment variables in provisioning files', () => {
    expect(file.content).not.toContain('$');
  });

  it('is readable by Grafana (472:0) and mounted into the provisioning directory', () => {
    expect(file).toMatchObject({ mode: 0o644, owner: { uid: 472, gid: 0 }, secret: false });
    expect(file.mountTarget).toBe('/etc/grafana/provisioning/datasources/heal-pyroscope.yaml');
  });
});

describe('data sources per tenant (frontDoor.auth: tenants)', () => {
  const tenants = [
    { name: 'default', password: 'p'.repeat(43) },
    { name: 'team-b', password: 'q'.repeat(43) },
  ];
  const file = renderGrafana(renderContext(sampleInput({ tenants }))).files[0]!;
  const doc = parse(file.content);

  it('gives each tenant a Pyroscope and a Tempo that send its X-Scope-OrgID, linked to each other', () => {
    expect(doc.datasources.map((d: { uid: string }) => d.uid)).toEqual(datasourceUids(['default', 'team-b']));
    const [pyroscopeB, tempoB] = doc.datasources.slice(2);
    expect(pyroscopeB).toMatchObject({
      name: 'Pyroscope (team-b)',
      jsonData: { httpHeaderName1: 'X-Scope-OrgID' },
      secureJsonData: { httpHeaderValue1: 'team-b' },
    });
    expect(tempoB).toMatchObject({
      name: 'Tempo (team-b)',
      jsonData: { httpHeaderName1: 'X-Scope-OrgID', tracesToProfiles: { datasourceUid: pyroscopeB.uid } },
      secureJsonData: { httpHeaderValue1: 'team-b' },
    });
  });

  it('removes the pair an install without tenants left, and holds no password', () => {
    expect(doc.deleteDatasources).toEqual([
      { name: 'Pyroscope', orgId: 1 },
      { name: 'Tempo', orgId: 1 },
    ]);
    expect(file.content).not.toContain(tenants[0]!.password);
    expect(file.content).not.toContain('$');
  });
});

describe('grafana/admin-password', () => {
  const file = byPath('grafana/admin-password');

  it('holds the password verbatim, readable by uid 472 only', () => {
    expect(file).toMatchObject({ content: password, mode: 0o400, owner: { uid: 472, gid: 0 }, secret: true });
  });

  it('reaches Grafana through GF_SECURITY_ADMIN_PASSWORD__FILE, never through Env', () => {
    expect(render.env).toMatchObject({
      GF_SECURITY_ADMIN_USER: 'ops',
      GF_SECURITY_ADMIN_PASSWORD__FILE: file.mountTarget,
    });
    expect(render.env).not.toHaveProperty('GF_SECURITY_ADMIN_PASSWORD');
    expect(JSON.stringify(render.env)).not.toContain(password);
  });
});

describe('Grafana without the internet', () => {
  it('neither installs plugins from grafana.com nor looks for updates or news at start', () => {
    expect(render.env).toMatchObject({
      GF_PLUGINS_PREINSTALL_DISABLED: 'true',
      GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
      GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: 'false',
      GF_NEWS_NEWS_FEED_ENABLED: 'false',
    });
  });
});
