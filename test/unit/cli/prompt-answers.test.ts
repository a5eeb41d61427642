import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateAnswer, validateKeyFile, validateOptionalAnswer } from '../../../src/console/prompts.js';
import { CUSTOMISE, setting } from '../../../src/config/settings.js';
import { DEFAULT_GUARD_RULES } from '../../../src/guard/rules.js';

const ctx = { rules: DEFAULT_GUARD_RULES, env: {} };

describe('answers init checks as they are typed', () => {
  it('refuses a directory as the private key file, relative to the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-key-'));
    mkdirSync(join(dir, 'keys'));
    expect(await validateKeyFile('keys', dir)).toBe(
      `identity file ${join(dir, 'keys')} is a directory, not a private key`,
    );
  });

  it('refuses the same target twice', () => {
    expect(validateAnswer(setting('targets'), 't1, svc-02 t1', ctx)).toBe(
      't1 is given twice (one machine is one target)',
    );
  });

  it('asks the customisations from the settings table, each with its own question', () => {
    for (const name of CUSTOMISE.settings) expect(setting(name).prompt?.message).toBeTruthy();
  });

  it('takes an empty answer to an optional question as none, and checks any other', () => {
    expect(validateOptionalAnswer(setting('jumpHost'), '', ctx)).toBe(true);
    expect(validateOptionalAnswer(setting('jumpHost'), 'ops@bastion:2222', ctx)).toBe(true);
    expect(validateOptionalAnswer(setting('sshPort'), '70000', ctx)).toMatch(/port/);
    expect(validateOptionalAnswer(setting('registryPrefix'), 'not a prefix', ctx)).toMatch(/is not a registry prefix/);
  });

  it('takes several image overrides on one line', () => {
    expect(
      validateOptionalAnswer(setting('images'), 'minio=r.internal/minio:1, grafana=r.internal/grafana:2', ctx),
    ).toBe(true);
    expect(validateOptionalAnswer(setting('images'), 'minio=r.internal/minio:latest', ctx)).not.toBe(true);
    expect(validateOptionalAnswer(setting('images'), 'nosuch=r/x:1', ctx)).toMatch(/components:/);
  });
});
