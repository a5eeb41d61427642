// Undo steps a failed install could not run (its host or engine gone during the rollback), kept
// beside the state file until the next install or uninstall finishes them: one small JSON document
// per environment, `<environment>.pending-undo.json`, 0600 in the 0700 state directory. It names
// hosts, step kinds, container/network IDs, volume names and paths, never a secret.

import { readFile, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { HealError } from '../core/errors.js';
import { HOST_ROOT } from '../core/host-paths.js';
import { UNDO_KINDS, type HostUndo, type UndoStep } from '../core/undo-step.js';
import { isOwnRule } from '../stack/flow-rules.js';
import { checkPrivate, writePrivateJson } from './state-file.js';

/** The steps one failed run left on one host, in the order to run them. */
export interface LeftUndo {
  /** When the run that left them failed (ISO 8601, UTC). */
  failedAt: string;
  command: 'install';
  host: string;
  steps: UndoStep[];
}

export interface PendingUndoDocument {
  version: 1;
  environment: string;
  /** Oldest failure first. */
  left: LeftUndo[];
}

/** `<dir>/<environment>.state.json` -> `<dir>/<environment>.pending-undo.json`. */
export function pendingUndoPath(statePath: string): string {
  return statePath.replace(/\.state\.json$/, '') + '.pending-undo.json';
}

/** The failed undo steps of one run, grouped by host (each host's in the order they were to run). */
export function leftByHost(failedAt: Date, steps: readonly HostUndo[]): LeftUndo[] {
  const hosts = [...new Set(steps.map((s) => s.host))];
  return hosts.map((host) => ({
    failedAt: failedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    command: 'install',
    host,
    steps: steps.filter((s) => s.host === host).map(({ host: _host, ...step }) => step as UndoStep),
  }));
}

/** What is left, oldest first; none when there is no file. */
export async function loadPendingUndo(path: string): Promise<LeftUndo[]> {
  await checkPrivate(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw pendingError(path, `cannot be read: ${(error as Error).message}`, error);
  }
  try {
    const doc = JSON.parse(text) as PendingUndoDocument;
    if (doc.version !== 1 || !Array.isArray(doc.left)) throw new Error('unexpected content');
    for (const entry of doc.left) {
      const valid =
        typeof entry.host === 'string' &&
        typeof entry.failedAt === 'string' &&
        Array.isArray(entry.steps) &&
        entry.steps.every((s) => UNDO_KINDS.includes(s?.kind));
      if (!valid) throw new Error('unexpected entry');
      for (const step of entry.steps) {
        const why = unsafeStep(step);
        if (why !== undefined) throw new Error(`a step it names is not ours: ${why}`);
      }
    }
    return doc.left;
  } catch (error) {
    throw pendingError(path, `is not a heal-pyroscope pending-undo file (${(error as Error).message})`, error);
  }
}

const OUR_NAME = /^heal-pyroscope[a-z0-9_.-]*$/;
const ENGINE_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

/** A path the installer may have written: absolute, normalised, under /opt/heal-pyroscope. */
function ourPath(path: unknown): boolean {
  return (
    typeof path === 'string' &&
    path.startsWith(`${HOST_ROOT}/`) &&
    posix.normalize(path) === path &&
    !path.endsWith('/')
  );
}

/**
 * Why a step read from the file is not one an install of ours could have left (undefined when it
 * is): the file is run as root on the hosts, so it may name only our paths and our objects.
 */
export function unsafeStep(step: UndoStep): string | undefined {
  const named = (name: unknown) => typeof name === 'string' && OUR_NAME.test(name);
  switch (step.kind) {
    case 'remove-file':
      return ourPath(step.path) ? undefined : `${String(step.path)} is not under ${HOST_ROOT}`;
    case 'restore-file':
      return ourPath(step.path) && ourPath(step.backup)
        ? undefined
        : `${String(step.path)} or ${String(step.backup)} is not under ${HOST_ROOT}`;
    case 'remove-directories':
      return Array.isArray(step.paths) && step.paths.every((p) => p === HOST_ROOT || ourPath(p))
        ? undefined
        : `${JSON.stringify(step.paths)} is not a list of directories under ${HOST_ROOT}`;
    case 'remove-container':
    case 'remove-network':
    case 'put-back-container':
      return named(step.name) && typeof step.id === 'string' && ENGINE_ID.test(step.id)
        ? undefined
        : `${step.kind} ${String(step.name)} (${String(step.id)}) is not one of ours`;
    case 'remove-volume':
    case 'stop-container':
      return named(step.name) ? undefined : `${step.kind} ${String(step.name)} is not one of ours`;
    case 'remove-image':
      return typeof step.ref === 'string' && IMAGE_REF.test(step.ref) ? undefined : `image ${String(step.ref)}`;
    case 'restore-flow-rules':
      return Array.isArray(step.rules) && step.rules.every((r) => typeof r === 'string' && isOwnRule(r))
        ? undefined
        : 'flow rules that are not of the shape heal-pyroscope writes';
  }
}

/** Writes what is left; no file when nothing is. */
export async function savePendingUndo(path: string, environment: string, left: readonly LeftUndo[]): Promise<void> {
  const kept = left.filter((l) => l.steps.length > 0);
  if (kept.length === 0) {
    await rm(path, { force: true });
    return;
  }
  const doc: PendingUndoDocument = { version: 1, environment, left: kept };
  await writePrivateJson(path, doc);
}

/** Adds the steps a failed run could not undo to what earlier runs left. */
export async function keepPendingUndo(
  path: string,
  environment: string,
  failedAt: Date,
  steps: readonly HostUndo[],
): Promise<LeftUndo[]> {
  if (steps.length === 0) return loadPendingUndo(path);
  const left = [...(await loadPendingUndo(path)), ...leftByHost(failedAt, steps)];
  await savePendingUndo(path, environment, left);
  return left;
}

/** `2 undo step(s) left by the failed install of 2026-11-25T18:01:02Z on db-01`. */
export function describeLeft(left: LeftUndo): string {
  return `${left.steps.length} undo step(s) left by the failed ${left.command} of ${left.failedAt} on ${left.host}`;
}

function pendingError(path: string, what: string, cause: unknown): HealError {
  return new HealError({
    code: 'state.pending-undo',
    message: `the pending-undo file ${path} ${what}`,
    hint:
      'it lists what a failed install could not undo; clean those hosts by hand (heal-pyroscope ' +
      'uninstall helps), then remove the file',
    cause,
  });
}
