import { describe, expect, it } from 'vitest';
import type { Phase } from '../../../src/runner/phase.js';
import { insertAfter, insertBefore, replacePhase } from '../../../src/runner/phase-list.js';
import { restorePhases } from '../../../src/phases/restore/restore.js';
import { installPhases } from '../../../src/phases/install/install.js';

const phase = (id: string): Phase<object> => ({ id, title: id, run: async () => undefined });
const ids = (list: readonly Phase<object>[]) => list.map((p) => p.id);
const list = [phase('a'), phase('b'), phase('c')];

describe('editing a phase list by id', () => {
  it('inserts phases before the one named', () => {
    expect(ids(insertBefore(list, 'b', phase('x'), phase('y')))).toEqual(['a', 'x', 'y', 'b', 'c']);
  });

  it('inserts phases after the one named, the last one included', () => {
    expect(ids(insertAfter(list, 'c', phase('x')))).toEqual(['a', 'b', 'c', 'x']);
  });

  it('replaces the phase named and leaves the list it was given as it was', () => {
    const replacement = phase('b');
    const edited = replacePhase(list, 'b', replacement);
    expect(edited[1]).toBe(replacement);
    expect(list[1]).not.toBe(replacement);
  });

  it('refuses an edit naming a phase the list lacks, listing the ids it has', () => {
    expect(() => insertBefore(list, 'nope', phase('x'))).toThrow('the phase list has no phase "nope" (it has a, b, c)');
  });

  it('makes restore the install list with one lock, its refusals and volume filling', () => {
    const install = ids(installPhases());
    const restore = ids(restorePhases());
    expect(restore.filter((id) => install.includes(id))).toEqual(install);
    expect(restore.indexOf('restore-check')).toBe(restore.indexOf('facts') - 2);
    expect(restore.indexOf('storage') - 1).toBe(restore.findIndex((id) => id.startsWith('restore-volumes')));
    expect(restore.filter((id) => id === 'lock')).toHaveLength(1);
  });
});
