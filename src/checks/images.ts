// The pinned images a machine runs are either present in its engine, or the registry it would pull
// them from (private prefix, engine mirror, or Docker Hub) answers on TCP from that machine.
import { componentsOn, imageRef } from '../stack/manifest.js';
import { result, type Check } from './check.js';

export function registryEndpoint(source: string): { host: string; port: number } {
  const withScheme = /^[a-z]+:\/\//i.test(source) ? source : `https://${source}`;
  const url = new URL(withScheme);
  return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 };
}

export const imagesCheck: Check = {
  id: 'images.available',
  title: 'Pinned images present or pullable',
  tiers: ['web', 'app', 'db'],
  needsDocker: true,
  run: async (state, ctx) => {
    const name = state.machine.name;
    const prefix = ctx.topology.registryPrefix;
    const wanted = state.machine.tiers.flatMap((t) => componentsOn(t)).map((c) => imageRef(c, prefix));
    const present = new Set(state.facts!.docker!.imageTags);
    const missing = wanted.filter((ref) => !present.has(ref));
    if (missing.length === 0) return [result(imagesCheck, name, 'pass', `all ${wanted.length} present`)];
    const sources = prefix ? [prefix.split('/')[0]!] : state.facts!.docker!.mirrors.length > 0 ? state.facts!.docker!.mirrors : ['registry-1.docker.io'];
    const evidence = [`to pull: ${missing.join(', ')}`];
    for (const source of sources) {
      const { host, port } = registryEndpoint(source);
      const probe = await state.session!.probeTcp(host, port, ctx.probeTimeoutMs);
      evidence.push(`${host}:${port} from ${name}: ${probe.state}`);
      if (probe.state === 'open') return [result(imagesCheck, name, 'pass', `${missing.length} to pull from ${host}:${port} (reachable)`, { evidence })];
    }
    return [
      result(imagesCheck, name, 'fail', `${missing.length} image(s) missing and no registry reachable`, {
        evidence,
        remedy: prefix ? `make ${prefix} reachable from ${name}` : 'set registry.prefix to a reachable mirror, or load the images on the host',
      }),
    ];
  },
};
