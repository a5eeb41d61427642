// Every image a machine runs is either present in its engine, or the registry that engine would
// pull it from (private prefix, its mirror, quay.io, Docker Hub) says it has it: asked through
// the engine itself, so its mirrors and insecure-registry settings apply as they would to the pull.
import type { RegistryAnswer } from '../remote/index.js';
import { presenceKey, registryOf } from '../stack/image-ref.js';
import { componentsOn } from '../stack/manifest.js';
import { dockerFactsOf, result, type Check, type CheckResult } from './check.js';

/** A registry may be slow to answer through a mirror; this bounds one question. */
export const REGISTRY_TIMEOUT_MS = 20_000;

const WHY: Record<Exclude<RegistryAnswer['state'], 'found'>, string> = {
  'not-found': 'not found',
  denied: 'access denied',
  unreachable: 'unreachable',
  error: 'error',
};

/** The decision, from the images wanted, those present and each missing one's registry answer. Pure. */
export function imagesVerdict(
  host: string,
  wanted: readonly string[],
  present: ReadonlySet<string>,
  answers: ReadonlyMap<string, RegistryAnswer>,
  mirrors: readonly string[],
): CheckResult {
  const missing = wanted.filter((ref) => !present.has(presenceKey(ref)));
  if (missing.length === 0) return result(imagesCheck, host, 'pass', `all ${wanted.length} present`);
  const evidence: string[] = [];
  const failed: string[] = [];
  for (const ref of missing) {
    const answer = answers.get(ref);
    const registry = registryOf(ref);
    const via = registry === 'docker.io' && mirrors.length > 0 ? ` (via mirror ${mirrors.join(', ')})` : '';
    if (answer?.state === 'found') {
      evidence.push(`${ref}: to pull from ${registry}${via}, available`);
      continue;
    }
    const why = answer ? `${WHY[answer.state]}: ${answer.detail}` : 'not asked';
    evidence.push(`${ref}: ${registry}${via} answered ${why}`);
    failed.push(`${ref} (${registry}: ${answer ? WHY[answer.state] : 'not asked'})`);
  }
  if (failed.length === 0)
    return result(imagesCheck, host, 'pass', `${missing.length} to pull, all available`, { evidence });
  const states = new Set(missing.map((ref) => answers.get(ref)?.state));
  const remedy = states.has('denied')
    ? 'check the name and tag (Docker Hub says "denied" for a repository that does not exist), or log the ' +
      'engine in to that registry; or set images.<component> or registry.prefix to one it may read'
    : states.has('unreachable')
      ? `make the registry reachable from ${host} (or set registry.prefix to a reachable mirror), or use ` +
        `install --images-from`
      : 'check the tag: set images.<component> or registry.prefix to a registry that serves it, or load the ' +
        'image on the host';
  return result(imagesCheck, host, 'fail', `missing and not pullable: ${failed.join(', ')}`, { evidence, remedy });
}

export const imagesCheck: Check = {
  id: 'images.available',
  title: 'Images present or pullable',
  tiers: ['web', 'app', 'db'],
  needsDocker: true,
  run: async (host, ctx) => {
    const docker = dockerFactsOf(host);
    const wanted = [...new Set(host.tiers.flatMap((t) => componentsOn(t)).map((c) => ctx.topology.images[c.name]))];
    const present = new Set(docker.imageTags);
    const missing = wanted.filter((ref) => !present.has(presenceKey(ref)));
    const answers = new Map(
      await Promise.all(
        missing.map(async (ref) => [ref, await host.remote.engine.registryAnswer(ref, REGISTRY_TIMEOUT_MS)] as const),
      ),
    );
    return [imagesVerdict(host.name, wanted, present, answers, docker.mirrors)];
  },
};
