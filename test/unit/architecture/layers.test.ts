import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script (scripts/check-layers.mjs), run by npm run lint
import { importGraph, layerProblems } from '../../../scripts/check-layers.mjs';

type Graph = Map<string, string[]>;
const LAYERS = [['core'], ['remote', 'state'], ['phases']];
const graph = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges));

describe('the import layers (scripts/check-layers.mjs)', () => {
  it('accepts imports that point down or stay in a layer', () => {
    expect(
      layerProblems(
        graph({
          'core/a.ts': [],
          'remote/b.ts': ['core/a.ts', 'state/c.ts'],
          'state/c.ts': [],
          'phases/d.ts': ['remote/b.ts'],
        }),
        LAYERS,
      ),
    ).toEqual([]);
  });

  it('reports an import from a higher layer', () => {
    expect(layerProblems(graph({ 'core/a.ts': ['phases/d.ts'], 'phases/d.ts': [] }), LAYERS)).toEqual([
      'core/a.ts imports phases/d.ts: phases is a layer above core',
    ]);
  });

  it('reports a cycle of files and the cycle of their folders', () => {
    const problems = layerProblems(graph({ 'remote/b.ts': ['state/c.ts'], 'state/c.ts': ['remote/b.ts'] }), LAYERS);
    expect(problems).toContain('file cycle: remote/b.ts <-> state/c.ts');
    expect(problems).toContain('folder cycle: remote <-> state');
  });

  it('reports a folder that was given no layer', () => {
    expect(layerProblems(graph({ 'misc/x.ts': [] }), LAYERS)).toEqual([
      'misc/x.ts: folder misc has no layer in scripts/check-layers.mjs',
    ]);
  });

  it('finds no problem in src/', () => {
    expect(layerProblems(importGraph(resolve(import.meta.dirname, '../../../src')))).toEqual([]);
  });
});
