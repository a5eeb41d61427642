// Undo steps as data: which host, what kind of change, the resource ids (never a secret). Install
// journals its changes with these, so an undo the rollback could not run (the host or its engine
// gone) can be kept in a file beside the state file and run by the next install or uninstall
// (finish-undo.ts). Each step is safe to run late: by ID, only if empty, only if still the same.

import { isHealError } from './errors.js';

export type UndoStep =
  | { kind: 'remove-container'; id: string; name: string }
  | { kind: 'remove-network'; id: string; name: string }
  /** `run`: the install run that created it (its label): a volume made again since is not this one. */
  | { kind: 'remove-volume'; name: string; run: string }
  | { kind: 'remove-file'; path: string }
  | { kind: 'restore-file'; path: string; backup: string }
  /** Deepest first; each only when empty. */
  | { kind: 'remove-directories'; paths: string[] }
  | { kind: 'stop-container'; name: string }
  | { kind: 'put-back-container'; id: string; name: string }
  /** Never forced: an image some container uses stays. */
  | { kind: 'remove-image'; ref: string }
  /** The flow rules' chain as it was (its `-A` lines); none: remove the chain and its jump. */
  | { kind: 'restore-flow-rules'; rules: string[] };

export type HostUndo = UndoStep & { host: string };

export const UNDO_KINDS: readonly UndoStep['kind'][] = [
  'remove-container',
  'remove-network',
  'remove-volume',
  'remove-file',
  'restore-file',
  'remove-directories',
  'stop-container',
  'put-back-container',
  'remove-image',
  'restore-flow-rules',
];

/** One line: what the step does, where. */
export function describeUndo(step: HostUndo): string {
  const on = `on ${step.host}`;
  switch (step.kind) {
    case 'remove-container':
      return `remove container ${step.name} ${on}`;
    case 'remove-network':
      return `remove network ${step.name} ${on}`;
    case 'remove-volume':
      return `remove volume ${step.name} ${on} (created by the failed run, no data of anyone's yet)`;
    case 'remove-file':
      return `remove ${step.path} ${on}`;
    case 'restore-file':
      return `put back ${step.path} ${on}`;
    case 'remove-directories':
      return `remove ${step.paths.join(', ')} ${on} (each only if empty)`;
    case 'stop-container':
      return `stop ${step.name} ${on}`;
    case 'put-back-container':
      return `put back the previous ${step.name} ${on}`;
    case 'remove-image':
      return `remove image ${step.ref} pulled ${on}`;
    case 'restore-flow-rules':
      return step.rules.length === 0 ? `remove the flow rules ${on}` : `put back the previous flow rules ${on}`;
  }
}

/**
 * A failed undo worth keeping for a later run: anything but a deliberate refusal (`rollback.*`: a
 * directory holding files not ours, an image still in use), which running again would not change.
 */
export function worthKeeping(error: unknown): boolean {
  return !(isHealError(error) && error.code.startsWith('rollback.'));
}
