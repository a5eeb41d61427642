// What uninstall decides and does about each image it finds: the data its context and the purge
// phase share (kept apart so the context does not import the phase).

export type ImageAction = 'remove' | 'keep' | 'gone';

export interface ImageDecision {
  ref: string;
  action: ImageAction;
  /** Why an image is kept. */
  reason?: string;
}

export interface ImageLine {
  machine: string;
  ref: string;
  reason?: string;
}

export interface ImageOutcome extends ImageLine {
  result: 'removed' | 'kept' | 'gone';
}
