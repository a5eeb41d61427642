// The install plan as data: for every server tier, which images to pull, which files to write and
// what to do with each container (create, recreate, start, keep), decided from the facts gathered
// on the hosts and the rendered stack. Pure, so the dry run and the real run can never disagree.

import type { RenderedFile } from '../render/rendered-file.js';
import { familiarRef, parseImageRef, presenceKey } from '../stack/image-ref.js';
import { LABELS, PRODUCT, type ComponentName } from '../stack/manifest.js';
import { sha256, specHash, type ContainerSpec } from './container-spec.js';
import { tierDir } from '../core/host-paths.js';

export type ServerTier = RenderedFile['tier'];

export interface ExistingContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
  image: string;
}

export interface FileState {
  sha256: string;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  uid: number;
  gid: number;
}

export interface TierFacts {
  tier: ServerTier;
  /** Display name of the machine serving the tier. */
  machine: string;
  /** Containers by name (only the names we would use). */
  containers: Map<string, ExistingContainer>;
  /** Image references present in the engine, with their IDs. */
  images: Map<string, string>;
  /** Our files by absolute path; absent when the file does not exist. */
  files: Map<string, FileState>;
  network: boolean;
  volumes: Set<string>;
}

export type ContainerAction = 'create' | 'recreate' | 'start' | 'unchanged';
export type FileAction = 'create' | 'update' | 'keep';

export interface ContainerStep {
  name: string;
  component: ComponentName;
  action: ContainerAction;
  specHash: string;
  /** Why it is recreated, for the operator. */
  reason?: string;
  /** Recreated for another image: an upgrade (or a move back) of this one component, its data volume kept. */
  upgrade?: ImageChange;
}

/** A component's image before and after: the versions (tags) when the repository stays, else the whole references. */
export interface ImageChange {
  from: string;
  to: string;
}

export interface TierPlan {
  tier: ServerTier;
  machine: string;
  pull: string[];
  present: string[];
  files: Array<{ path: string; action: FileAction }>;
  containers: ContainerStep[];
  createNetwork: boolean;
}

export interface InstallPlan {
  tiers: TierPlan[];
  /** Containers with our names that we did not create: installing would have to touch them. */
  conflicts: string[];
}

/** `1.14.0 -> 1.15.0` for one repository; whole references when the repository (or registry) changes too. */
export function imageChange(from: string, to: string): ImageChange {
  const a = parseImageRef(familiarRef(from));
  const b = parseImageRef(familiarRef(to));
  const version = (r: Exclude<typeof a, string>) => r.tag ?? r.digest ?? 'latest';
  if (
    typeof a !== 'string' &&
    typeof b !== 'string' &&
    a.registry === b.registry &&
    a.path === b.path &&
    !a.digest &&
    !b.digest
  )
    return { from: version(a), to: version(b) };
  return { from: familiarRef(from), to: familiarRef(to) };
}

export function containerAction(
  spec: ContainerSpec,
  existing: ExistingContainer | undefined,
): { action: ContainerAction; reason?: string; upgrade?: ImageChange } | { conflict: string } {
  if (!existing) return { action: 'create' };
  if (existing.labels[LABELS.product] !== PRODUCT) {
    return { conflict: `a container named ${spec.name} exists (${existing.image}) that heal-pyroscope did not create` };
  }
  const hash = specHash(spec);
  if (existing.labels[LABELS.specHash] !== hash) {
    if (familiarRef(existing.image) === familiarRef(spec.image))
      return { action: 'recreate', reason: 'configuration changed' };
    // Only this container is replaced; the old one is kept stopped until the new one is healthy.
    const upgrade = imageChange(existing.image, spec.image);
    const kept = spec.volume ? `, data volume ${spec.volume.name} kept` : '';
    return { action: 'recreate', reason: `${spec.component} ${upgrade.from} -> ${upgrade.to}${kept}`, upgrade };
  }
  return existing.running ? { action: 'unchanged' } : { action: 'start' };
}

export function fileAction(file: RenderedFile, existing: FileState | undefined): FileAction {
  if (!existing) return 'create';
  const same =
    existing.sha256 === sha256(file.content) &&
    existing.mode === file.mode &&
    existing.uid === file.owner.uid &&
    existing.gid === file.owner.gid;
  return same ? 'keep' : 'update';
}

export function remotePath(file: Pick<RenderedFile, 'tier' | 'path'>): string {
  return `${tierDir(file.tier)}/${file.path}`;
}

export function planInstall(
  files: readonly RenderedFile[],
  specs: readonly ContainerSpec[],
  facts: readonly TierFacts[],
): InstallPlan {
  const conflicts: string[] = [];
  const tiers = facts.map((f): TierPlan => {
    const tierSpecs = specs.filter((s) => s.tier === f.tier);
    const images = [...new Set(tierSpecs.map((s) => s.image))];
    const containers: ContainerStep[] = [];
    for (const spec of tierSpecs) {
      const decided = containerAction(spec, f.containers.get(spec.name));
      if ('conflict' in decided) conflicts.push(`${f.machine}: ${decided.conflict}`);
      else
        containers.push({
          name: spec.name,
          component: spec.component,
          action: decided.action,
          specHash: specHash(spec),
          ...(decided.reason ? { reason: decided.reason } : {}),
          ...(decided.upgrade ? { upgrade: decided.upgrade } : {}),
        });
    }
    return {
      tier: f.tier,
      machine: f.machine,
      pull: images.filter((ref) => !f.images.has(presenceKey(ref))),
      present: images.filter((ref) => f.images.has(presenceKey(ref))),
      files: files
        .filter((file) => file.tier === f.tier)
        .map((file) => ({ path: remotePath(file), action: fileAction(file, f.files.get(remotePath(file))) })),
      containers,
      createNetwork: !f.network && tierSpecs.length > 0,
    };
  });
  return { tiers, conflicts };
}

/** The plan in words, one line each, for `install --dry-run`. */
export function describePlan(plan: InstallPlan): string[] {
  const lines: string[] = [];
  for (const t of plan.tiers) {
    lines.push(`${t.machine} (${t.tier}):`);
    for (const ref of t.pull) lines.push(`  pull ${ref}`);
    for (const ref of t.present) lines.push(`  image ${ref} present`);
    if (t.createNetwork) lines.push('  create network heal-pyroscope');
    for (const f of t.files)
      lines.push(`  ${f.action === 'keep' ? 'keep' : f.action === 'create' ? 'write' : 'rewrite'} ${f.path}`);
    for (const c of t.containers) lines.push(`  ${c.action} ${c.name}${c.reason ? ` (${c.reason})` : ''}`);
  }
  for (const conflict of plan.conflicts) lines.push(`conflict: ${conflict}`);
  return lines;
}
