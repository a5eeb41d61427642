// The local state of one installation: the generated credentials (reused by every later install),
// what the last install left on each host, and which images installs pulled onto each machine. One JSON file per environment, mode 0600, in a 0700
// directory beside the config file. Its content is never printed or logged.

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { HealError } from '../core/errors.js';
import type { ComponentName } from '../stack/manifest.js';

export const STATE_DIR = '.heal-pyroscope';
export const STATE_FILE_MODE = 0o600;

export interface Secrets {
  minioAccessKey: string;
  minioSecretKey: string;
  grafanaAdminUser: string;
  grafanaAdminPassword: string;
}

export interface InstalledComponent {
  host: string;
  container: string;
  image: string;
  imageId: string;
  specHash: string;
}

/** An image an install pulled (or loaded from an archive) onto a machine that lacked it. */
export interface PulledImage {
  ref: string;
  /** The image ID the reference named right after the pull: a later image under the same tag is not ours. */
  id: string;
  from: 'registry' | 'archive';
}

export interface InstallState {
  version: 1;
  environment: string;
  secrets: Secrets;
  installedAt?: string;
  installerVersion?: string;
  components?: Partial<Record<ComponentName, InstalledComponent>>;
  /**
   * Images installs pulled, by machine name. Absent in state files written before pulls were
   * recorded: then nothing is known to be ours, and `uninstall --purge` removes no image.
   */
  pulledImages?: Record<string, PulledImage[]>;
}

/** `<config dir or cwd>/.heal-pyroscope/<environment>.state.json`. */
export function statePath(environment: string, configPath: string | undefined, cwd: string): string {
  const base = configPath ? dirname(resolve(cwd, configPath)) : cwd;
  const safe = environment.replace(/[^A-Za-z0-9._-]/g, '_');
  return join(base, STATE_DIR, `${safe}.state.json`);
}

/** Fresh credentials: 24 random bytes each, base64url (no character any component would misread). */
export function generateSecrets(random: (n: number) => Buffer = randomBytes): Secrets {
  return {
    minioAccessKey: `heal-${random(9).toString('hex')}`,
    minioSecretKey: random(24).toString('base64url'),
    grafanaAdminUser: 'admin',
    grafanaAdminPassword: random(24).toString('base64url'),
  };
}

export async function loadState(path: string): Promise<InstallState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw stateError(path, `cannot be read: ${(error as Error).message}`, error);
  }
  try {
    const state = JSON.parse(text) as InstallState;
    if (state.version !== 1 || typeof state.secrets?.minioSecretKey !== 'string') throw new Error('unexpected content');
    return state;
  } catch (error) {
    throw stateError(path, 'is not a heal-pyroscope state file', error);
  }
}

/** What installs pulled onto `machine`; undefined when this state file never recorded pulls. */
export function pulledImagesOn(state: InstallState | undefined, machine: string): PulledImage[] | undefined {
  const all = state?.pulledImages;
  if (all === undefined || typeof all !== 'object' || all === null) return undefined;
  const list = all[machine];
  return Array.isArray(list) ? list.filter((p) => typeof p?.ref === 'string') : [];
}

/** The state with `images` recorded as pulled onto `machine` (a reference pulled again replaces its entry). */
export function withPulledImages(state: InstallState, machine: string, images: readonly PulledImage[]): InstallState {
  const refs = new Set(images.map((i) => i.ref));
  const kept = (pulledImagesOn(state, machine) ?? []).filter((p) => !refs.has(p.ref));
  return { ...state, pulledImages: { ...(state.pulledImages ?? {}), [machine]: [...kept, ...images] } };
}

/** The state without the records of `refs` on `machine` (removed, or found gone). */
export function withoutPulledImages(state: InstallState, machine: string, refs: readonly string[]): InstallState {
  const list = pulledImagesOn(state, machine);
  if (list === undefined) return state;
  const rest = list.filter((p) => !refs.includes(p.ref));
  const others = Object.fromEntries(Object.entries(state.pulledImages ?? {}).filter(([m]) => m !== machine));
  return { ...state, pulledImages: rest.length > 0 ? { ...others, [machine]: rest } : others };
}

/** Writes atomically with mode 0600 (the directory 0700), whatever the umask. */
export async function saveState(path: string, state: InstallState): Promise<void> {
  await writePrivateJson(path, state);
}

/** A JSON file of the state directory: written atomically, mode 0600 in a 0700 directory, whatever the umask. */
export async function writePrivateJson(path: string, value: unknown): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: STATE_FILE_MODE });
  await chmod(temp, STATE_FILE_MODE);
  await rename(temp, path);
}

export async function removeState(path: string): Promise<void> {
  await rm(path, { force: true });
}

function stateError(path: string, what: string, cause: unknown): HealError {
  return new HealError({
    code: 'state.invalid',
    message: `the state file ${path} ${what}`,
    hint:
      'it holds the generated credentials: restore it from a backup, or move it away to generate new ' +
      'ones (Grafana keeps its first admin password)',
    cause,
  });
}
