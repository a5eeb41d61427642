// Image references as Docker reads them (`[registry/]path[:tag][@digest]`), and the one image each
// component runs: the manifest's pin, under a registry prefix, or the operator's override. Pure.

import { group } from '../core/defined.js';
import { COMPONENTS, type Component, type ComponentName } from './manifest.js';

export interface ImageRef {
  /** `quay.io`, `registry.internal:5000`; absent for Docker Hub. */
  registry?: string;
  /** `minio/minio`, `grafana/pyroscope`, `haproxy`. */
  path: string;
  tag?: string;
  digest?: string;
}

// The grammar of github.com/distribution/reference, written out for the parts we need.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}';
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const REMAINDER = new RegExp(`^(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** Docker Hub's names, which Docker shows in their short ("familiar") form. */
const HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** A first path component is a registry when it has a dot or a port, or is `localhost` (Docker's rule). */
function splitRegistry(ref: string): { registry?: string; rest: string } {
  const slash = ref.indexOf('/');
  if (slash < 0) return { rest: ref };
  const first = ref.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
    return { registry: first, rest: ref.slice(slash + 1) };
  return { rest: ref };
}

/** Parses a reference, or says why it cannot be one. */
export function parseImageRef(ref: string): ImageRef | string {
  if (ref.trim() !== ref || ref === '') return 'is empty or has white space';
  const { registry, rest } = splitRegistry(ref);
  const m = REMAINDER.exec(rest);
  if (!m || (registry !== undefined && !DOMAIN_RE.test(registry)))
    return 'is not an image reference ([registry/]repository:tag or @sha256:digest)';
  const path = group(m, 1);
  const [, , tag, digest] = m;
  if (path.length > 255) return 'has a repository name longer than 255 characters';
  return { ...(registry ? { registry } : {}), path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Why `ref` may not be run by heal-pyroscope (no tag or digest, or `latest`), or null. */
export function pinnedImageProblem(ref: string): string | null {
  const parsed = parseImageRef(ref);
  if (typeof parsed === 'string') return parsed;
  if (!parsed.tag && !parsed.digest) return 'has no tag or digest: pin an exact version (e.g. :1.14.0 or @sha256:...)';
  if (parsed.tag === 'latest' && !parsed.digest) return 'uses the floating tag "latest": pin an exact version';
  return null;
}

/**
 * The reference as Docker lists it (`RepoTags`): Docker Hub names without `docker.io/` and
 * official images without `library/`, so an override may be spelt either way.
 */
export function familiarRef(ref: string): string {
  const parsed = parseImageRef(ref);
  if (typeof parsed === 'string') return ref;
  let path = parsed.path;
  let registry = parsed.registry;
  if (registry !== undefined && HUB_NAMES.has(registry)) {
    registry = undefined;
    if (path.startsWith('library/') && path.split('/').length === 2) path = path.slice('library/'.length);
  }
  return `${registry ? `${registry}/` : ''}${path}${parsed.tag ? `:${parsed.tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
}

/** The registry a reference is pulled from (`docker.io` for Docker Hub names). */
export function registryOf(ref: string): string {
  const parsed = parseImageRef(ref);
  return typeof parsed === 'string' || parsed.registry === undefined || HUB_NAMES.has(parsed.registry)
    ? 'docker.io'
    : parsed.registry;
}

/**
 * The key under which an engine lists a present image: `name@digest` (RepoDigests) for a pinned
 * digest, else `name:tag` (RepoTags).
 */
export function presenceKey(ref: string): string {
  const familiar = familiarRef(ref);
  const parsed = parseImageRef(familiar);
  if (typeof parsed === 'string' || !parsed.digest) return familiar;
  return `${parsed.registry ? `${parsed.registry}/` : ''}${parsed.path}@${parsed.digest}`;
}

/** `repository:tag` of a pin, under a private registry prefix when one is given (without the pin's own registry). */
export function imageRef(c: Component, registryPrefix?: string): string {
  const prefix = registryPrefix?.replace(/\/+$/, '');
  if (prefix) return `${prefix}/${c.repository}:${c.tag}`;
  return `${c.registry ? `${c.registry}/` : ''}${c.repository}:${c.tag}`;
}

export type ImageOverrides = Partial<Record<ComponentName, string>>;

/** The image every component runs: an override as given (in Docker's familiar form), else the pin. */
export function resolveImages(registryPrefix?: string, overrides: ImageOverrides = {}): Record<ComponentName, string> {
  return Object.fromEntries(
    COMPONENTS.map((c) => {
      const override = overrides[c.name];
      return [c.name, override !== undefined ? familiarRef(override) : imageRef(c, registryPrefix)];
    }),
  ) as Record<ComponentName, string>;
}
