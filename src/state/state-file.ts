// The local state of one installation: the generated credentials (reused by every later install)
// and what the last install left on each host. One JSON file per environment, mode 0600, in a 0700
// directory beside the config file. Its content is never printed or logged.

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { HealError } from '../errors.js';
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

export interface InstallState {
  version: 1;
  environment: string;
  secrets: Secrets;
  installedAt?: string;
  installerVersion?: string;
  components?: Partial<Record<ComponentName, InstalledComponent>>;
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

/** Writes atomically with mode 0600 (the directory 0700), whatever the umask. */
export async function saveState(path: string, state: InstallState): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: STATE_FILE_MODE });
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
    hint: 'it holds the generated credentials: restore it from a backup, or move it away to generate new ones (Grafana keeps its first admin password)',
    cause,
  });
}
