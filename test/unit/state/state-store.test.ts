import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSecrets } from '../../../src/state/state-file.js';
import { StateStore } from '../../../src/state/state-store.js';

describe('the state of one run', () => {
  it('once discarded by a rollback, stays gone: a write still under way or arriving later is dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-store-'));
    const path = join(dir, '.heal-pyroscope', 'lab.state.json');
    const store = new StateStore(path, { version: 1, environment: 'lab', secrets: generateSecrets() }, 'generated');
    await store.write();
    expect(existsSync(path)).toBe(true);
    // A pull's record written while the rollback runs (the images phase settling after Ctrl-C).
    const late = store.update((s) => ({ ...s, pulledImages: { 'app-01': [] } }), 'always');
    await store.discard();
    await late;
    await store.update((s) => s, 'always');
    expect(existsSync(path)).toBe(false);
  });
});
