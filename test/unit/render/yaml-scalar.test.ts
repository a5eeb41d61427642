import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { yamlQuoted, yamlScalar } from '../../../src/render/yaml-scalar.js';
import { HOSTILE_SECRET } from './sample-context.js';

const samples = [
  HOSTILE_SECRET,
  '',
  'yes',
  'null',
  '0x10',
  '# not a comment',
  '- not a list',
  'key: value',
  '\t\ttabs',
  'line\u2028separator\u0085next',
];

describe('yamlQuoted', () => {
  it.each(samples)('round-trips %j under YAML 1.2 and 1.1', (value) => {
    const doc = `k: ${yamlQuoted(value)}\n`;
    expect(parse(doc, { version: '1.2' })).toEqual({ k: value });
    expect(parse(doc, { version: '1.1' })).toEqual({ k: value });
  });

  it('writes printable ASCII only, on one line', () => {
    expect(yamlQuoted(HOSTILE_SECRET)).toMatch(/^"[\x20-\x7e]*"$/);
  });
});

describe('yamlScalar', () => {
  it('keeps numbers and booleans plain so typed fields parse', () => {
    expect(yamlScalar(4040)).toBe('4040');
    expect(yamlScalar(true)).toBe('true');
    expect(yamlScalar('4040')).toBe('"4040"');
  });
});
