// What uninstall decides and does about each image it finds: the data its context and the purge
// phase share (kept apart so the context does not import the phase).

export type ImageAction = 'remove' | 'keep' | 'gone';

/** A kept image always says why. */
export type ImageDecision =
  { ref: string; action: 'keep'; reason: string } | { ref: string; action: 'remove' } | { ref: string; action: 'gone' };

export interface ImageLine {
  machine: string;
  ref: string;
  reason?: string;
}

export interface ImageOutcome extends ImageLine {
  result: 'removed' | 'kept' | 'gone';
}
