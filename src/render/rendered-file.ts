// The renderer's output unit: one file for one host, with the owner and mode it must have and
// the place a container expects it. Pure data; the installer writes it and bind-mounts it.

import type { ComponentName, Tier } from '../stack/manifest.js';
import { component } from '../stack/manifest.js';

export interface FileOwner {
  uid: number;
  gid: number;
}

export interface RenderedFile {
  tier: Exclude<Tier, 'target'>;
  component: ComponentName;
  /** Relative to the product's per-host directory, e.g. `pyroscope/config.yaml`. */
  path: string;
  content: string;
  /** Numeric mode, e.g. `0o600`. */
  mode: number;
  owner: FileOwner;
  /** Holds a credential: never log or print `content`. */
  secret: boolean;
  /** Where the component's container reads it (bind-mount read-only), or null when no container does. */
  mountTarget: string | null;
}

export const ROOT: FileOwner = { uid: 0, gid: 0 };
/** Secrets: readable by their owner only. */
export const SECRET_MODE = 0o600;
/** Configuration without credentials. */
export const PUBLIC_MODE = 0o644;

/** The container user of `name` from the manifest, as numbers. */
export function containerOwner(name: ComponentName): FileOwner {
  const user = component(name).user;
  const match = /^(\d+):(\d+)$/.exec(user);
  if (!match) throw new Error(`manifest user of ${name} is not uid:gid: ${user}`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

/** Stable order so the installer can hash the whole set: by tier, then path. */
export function sortFiles(files: RenderedFile[]): RenderedFile[] {
  const tierOrder: Record<RenderedFile['tier'], number> = { web: 0, app: 1, db: 2 };
  return [...files].sort(
    (a, b) => tierOrder[a.tier] - tierOrder[b.tier] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}
