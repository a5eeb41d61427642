// The local state of one installation: the generated credentials (reused by every later install),
// what the last install left on each host, and which images installs pulled onto each machine. One JSON file per environment, mode 0600, in a 0700
// directory beside the config file. Its content is never printed or logged.

import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, HealError } from '../core/errors.js';
import type { ComponentName } from '../stack/manifest.js';
import type { FrontDoorTls } from '../tls/certificates.js';

export const STATE_DIR = '.heal-pyroscope';
export const STATE_FILE_MODE = 0o600;

export interface Secrets {
  minioAccessKey: string;
  minioSecretKey: string;
  grafanaAdminUser: string;
  grafanaAdminPassword: string;
  /**
   * The front door's CA and certificate (`frontDoor.tls: generated`): made by the first install that
   * needs them, the certificate re-issued under the same CA as its names or its end require.
   */
  frontDoorTls?: FrontDoorTls;
  /** Each tenant's basic-auth password (`frontDoor.auth: tenants`), by tenant name. */
  tenantPasswords?: Record<string, string>;
}

/** A tenant's new password: 32 random bytes, base64url (no `:`, nothing to escape anywhere). */
export function newTenantPassword(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url');
}

/**
 * The secrets with a password for each of `tenants` and for no other: the ones known are kept,
 * `found` (the web host's) first; the missing ones are generated.
 */
export function withTenantPasswords(
  secrets: Secrets,
  tenants: readonly string[],
  found: Readonly<Record<string, string>> = {},
  random: (n: number) => Buffer = randomBytes,
): Secrets {
  const known = { ...secrets.tenantPasswords, ...found };
  const { tenantPasswords: _old, ...rest } = secrets;
  if (tenants.length === 0) return rest;
  return {
    ...rest,
    tenantPasswords: Object.fromEntries(
      tenants.map((t) => [t, Object.hasOwn(known, t) ? (known[t] as string) : newTenantPassword(random)]),
    ),
  };
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
  await checkPrivate(path);
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

/**
 * A JSON file of the state directory: written atomically, mode 0600 in a 0700 directory, whatever the
 * umask. The temporary file has a random name and is created exclusively (O_EXCL): a file or
 * symlink planted at any name is never written through.
 */
export async function writePrivateJson(path: string, value: unknown): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await checkPrivate(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: STATE_FILE_MODE, flag: 'wx' });
    await chmod(temp, STATE_FILE_MODE);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * The state directory and a file in it, as ssh treats ~/.ssh: the directory must be a real directory
 * of this user that neither group nor others can write; the file, when it exists, a regular file of
 * this user that neither group nor others can read or write. Otherwise exit 2, naming the fix.
 */
export async function checkPrivate(path: string): Promise<void> {
  const uid = process.getuid?.();
  const dir = dirname(path);
  const dirStat = await lstat(dir).catch(() => undefined);
  if (dirStat !== undefined) {
    if (!dirStat.isDirectory()) throw unsafe(dir, 'is not a directory (a symlink or a file)', `remove it: rm ${dir}`);
    if (uid !== undefined && dirStat.uid !== uid)
      throw unsafe(dir, `belongs to uid ${dirStat.uid}, not to you (uid ${uid})`, `move it away: mv ${dir} ${dir}.old`);
    if ((dirStat.mode & 0o022) !== 0)
      throw unsafe(dir, `is writable by group or others (mode ${mode(dirStat.mode)})`, `chmod 700 ${dir}`);
  }
  const fileStat = await lstat(path).catch(() => undefined);
  if (fileStat === undefined) return;
  if (!fileStat.isFile()) throw unsafe(path, 'is not a regular file (a symlink?)', `remove it: rm ${path}`);
  if (uid !== undefined && fileStat.uid !== uid)
    throw unsafe(
      path,
      `belongs to uid ${fileStat.uid}, not to you (uid ${uid})`,
      `check who wrote it, then: chown ${uid} ${path}`,
    );
  if ((fileStat.mode & 0o077) !== 0)
    throw unsafe(path, `is open to group or others (mode ${mode(fileStat.mode)})`, `chmod 600 ${path}`);
}

function mode(m: number): string {
  return `0${(m & 0o777).toString(8)}`;
}

function unsafe(path: string, what: string, fix: string): HealError {
  return new HealError({
    code: 'state.unsafe',
    message: `${path} ${what}: it holds the credentials, so heal-pyroscope will not use it`,
    hint: `${fix}, then run again`,
    exitCode: ExitCode.usage,
  });
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
