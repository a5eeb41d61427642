// docs/fault-matrix.md is what test/integration/fault-matrix.test.ts asserts: the table between
// the markers is rendered from the same cases file, so a changed expectation fails here until the
// page follows (and an edit of the page that the suite does not assert fails too).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CELLS, FAULTS, MATRIX_COMMANDS, NOT_RUN, faultMatrixTable } from '../../integration/fault-matrix.cases.js';

const BEGIN =
  '<!-- fault-matrix:begin (generated from test/integration/fault-matrix.cases.ts; test/unit/support/fault-matrix-readme.test.ts fails when it drifts) -->';
const END = '<!-- fault-matrix:end -->';

describe('the fault matrix', () => {
  it('docs/fault-matrix.md shows the table the suite asserts, between its markers', () => {
    const page = readFileSync(new URL('../../../docs/fault-matrix.md', import.meta.url), 'utf8');
    const start = page.indexOf(BEGIN);
    const end = page.indexOf(END);
    expect(start, `docs/fault-matrix.md lacks the line ${BEGIN}`).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(page.slice(start + BEGIN.length, end).trim()).toBe(faultMatrixTable());
  });

  it('runs each fault against every command, or says why not', () => {
    for (const f of FAULTS) {
      for (const command of MATRIX_COMMANDS) {
        const cells = CELLS.filter((c) => c.fault === f.id && c.command === command);
        const why = NOT_RUN[f.id]?.[command];
        expect(cells.length + (why ? 1 : 0), `${f.id} / ${command}: one cell or one reason`).toBe(1);
      }
    }
    for (const c of CELLS)
      expect(
        FAULTS.map((f) => f.id),
        c.fault,
      ).toContain(c.fault);
  });

  it('names a cause for every cell that fails, and leaves every host as it was when nothing was removed', () => {
    for (const c of CELLS) {
      if (c.exit !== 0) expect(c.cause, `${c.fault} / ${c.command}`).not.toBeNull();
      if (c.command !== 'uninstall' || c.exit !== 0) expect(c.unchanged, `${c.fault} / ${c.command}`).not.toBe('none');
    }
  });
});
