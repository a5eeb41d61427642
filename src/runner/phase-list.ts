// Editing a phase list by id, as k0sctl's Phases.InsertBefore/InsertAfter/Replace: a command that
// is another command's list with changes (restore is install with its own lock, refusals and
// volume filling) says so as edits, and an edit naming a phase the list lacks fails loudly.

import type { Phase } from './phase.js';

function indexOf<C>(list: readonly Phase<C>[], id: string): number {
  const at = list.findIndex((phase) => phase.id === id);
  if (at < 0)
    throw new Error(`the phase list has no phase ${JSON.stringify(id)} (it has ${list.map((p) => p.id).join(', ')})`);
  return at;
}

/** A new list with `phases` just before the phase `id`. */
export function insertBefore<C>(list: readonly Phase<C>[], id: string, ...phases: Phase<C>[]): Phase<C>[] {
  const at = indexOf(list, id);
  return [...list.slice(0, at), ...phases, ...list.slice(at)];
}

/** A new list with `phases` just after the phase `id`. */
export function insertAfter<C>(list: readonly Phase<C>[], id: string, ...phases: Phase<C>[]): Phase<C>[] {
  const at = indexOf(list, id) + 1;
  return [...list.slice(0, at), ...phases, ...list.slice(at)];
}

/** A new list with the phase `id` replaced by `phase`. */
export function replacePhase<C>(list: readonly Phase<C>[], id: string, phase: Phase<C>): Phase<C>[] {
  const at = indexOf(list, id);
  return [...list.slice(0, at), phase, ...list.slice(at + 1)];
}
