// Phase: prove the stack answers where it will be used: Pyroscope and Tempo through the front door
// as a target host reaches it, and on their own ports as the web host reaches them; Grafana on its
// port with both provisioned data sources.

import { HealError } from '../errors.js';
import { httpGet, type RemoteHost } from '../remote/index.js';
import { DATASOURCE_UIDS } from '../render/grafana.js';
import { component } from '../stack/manifest.js';
import { tierHost, type CheckedEndpoint, type InstallContext } from './context.js';
import type { Phase } from './phase.js';

export interface Probe {
  what: string;
  from: RemoteHost;
  host: string;
  port: number;
  path: string;
  headers?: Record<string, string>;
  /** Extra test of the body; returns why it is wrong, or null. */
  body?: (text: string) => string | null;
}

export async function probe(p: Probe): Promise<CheckedEndpoint> {
  const url = `http://${p.host}:${p.port}${p.path}`;
  try {
    const answer = await httpGet(p.from.session, p.host, p.port, p.path, { timeoutMs: 5000, ...(p.headers ? { headers: p.headers } : {}) });
    if (answer.status !== 200) return { what: p.what, url, ok: false, detail: `from ${p.from.name}: HTTP ${answer.status} ${answer.body.trim().slice(0, 120)}` };
    const wrong = p.body?.(answer.body) ?? null;
    return { what: p.what, url, ok: wrong === null, detail: `from ${p.from.name}: ${wrong ?? 'HTTP 200'}` };
  } catch (error) {
    return { what: p.what, url, ok: false, detail: `from ${p.from.name}: ${(error as Error).message}` };
  }
}

export function datasourcesProblem(text: string): string | null {
  try {
    const list = JSON.parse(text) as Array<{ uid?: string }>;
    const uids = new Set(list.map((d) => d.uid));
    const missing = Object.values(DATASOURCE_UIDS).filter((u) => !uids.has(u));
    return missing.length === 0 ? null : `data source(s) ${missing.join(', ')} not provisioned`;
  } catch {
    return 'the answer is not a JSON list of data sources';
  }
}

export function verifyProbes(ctx: InstallContext): Probe[] {
  const web = tierHost(ctx, 'web');
  const app = tierHost(ctx, 'app');
  const a = ctx.addresses!;
  const target = ctx.machines.find((m) => m.machine.tiers.includes('target') && ctx.fleet?.hosts.get(m.machine.name));
  const agentHost = target ? ctx.fleet!.hosts.get(target.machine.name)! : web.remote;
  const s = ctx.state!.secrets;
  const probes: Probe[] = [];
  if (ctx.options.frontDoor === 'container') {
    probes.push(
      { what: 'Pyroscope through the front door', from: agentHost, host: a.web, port: 9940, path: component('pyroscope').health.path },
      { what: 'Tempo through the front door', from: agentHost, host: a.web, port: 9940, path: '/api/echo' },
    );
  }
  probes.push(
    { what: 'Pyroscope', from: web.remote, host: a.app, port: 4040, path: component('pyroscope').health.path },
    { what: 'Tempo', from: web.remote, host: a.app, port: 3200, path: component('tempo').health.path },
    { what: 'Grafana', from: app.remote, host: a.app, port: ctx.topology.grafanaPort, path: component('grafana').health.path },
    {
      what: 'Grafana data sources',
      from: app.remote,
      host: a.app,
      port: ctx.topology.grafanaPort,
      path: '/api/datasources',
      headers: { Authorization: `Basic ${Buffer.from(`${s.grafanaAdminUser}:${s.grafanaAdminPassword}`).toString('base64')}` },
      body: datasourcesProblem,
    },
  );
  return probes;
}

export const verifyPhase: Phase<InstallContext> = {
  id: 'verify',
  title: 'Verify',
  readOnly: false,
  async run(ctx) {
    ctx.verified = await Promise.all(verifyProbes(ctx).map(probe));
    const failed = ctx.verified.filter((v) => !v.ok);
    if (failed.length > 0) {
      throw new HealError({
        code: 'install.verify',
        message: `${failed.length} of ${ctx.verified.length} endpoint(s) do not answer as they should`,
        details: failed.map((f) => `${f.what} ${f.url}: ${f.detail}`),
        hint: 'see `heal-pyroscope status` and the containers\' logs; run install again with --no-rollback to keep the state for debugging',
      });
    }
    return `${ctx.verified.length} endpoint(s) answer`;
  },
  dryRun: () => ['check Pyroscope and Tempo through the front door and on their ports, Grafana and its data sources'],
};
