import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { fillTemplate, loadTemplate } from '../../../src/render/template.js';

const plain = (value: string | number | boolean) => String(value);

function thrown(fn: () => unknown): HealError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HealError) return error;
    throw error;
  }
  throw new Error('expected a HealError');
}

describe('fillTemplate', () => {
  it('fills every slot, repeated ones included, through the escaper', () => {
    const out = fillTemplate('t', 'a: {{one}}\nb: {{ two }}\nc: {{one}}\n', { one: 'x', two: 2 }, (v) => `<${v}>`);
    expect(out).toBe('a: <x>\nb: <2>\nc: <x>\n');
  });

  it('throws when a slot has no value', () => {
    const error = thrown(() => fillTemplate('t.yaml', 'a: {{one}}\nb: {{two}}\n', { one: 'x' }, plain));
    expect(error.code).toBe('render.template');
    expect(error.message).toContain('t.yaml');
    expect(error.details).toEqual(['{{two}} has no value']);
  });

  it('throws when a value has no slot', () => {
    const error = thrown(() => fillTemplate('t', 'a: {{one}}\n', { one: 'x', extra: 'y' }, plain));
    expect(error.details).toEqual(['value extra has no {{extra}} slot']);
  });

  it('throws on a malformed slot instead of leaving it in the output', () => {
    const error = thrown(() => fillTemplate('t', 'a: {{one}}\nb: {{Two}}\n', { one: 'x' }, plain));
    expect(error.details).toEqual(['malformed slot near "{{"']);
  });

  it('does not treat a value that looks like a slot as a slot', () => {
    expect(fillTemplate('t', '{{a}}', { a: '{{b}}' }, plain)).toBe('{{b}}');
  });

  it('throws a render.template-missing error for an unknown template', () => {
    expect(thrown(() => loadTemplate('no-such-template.yaml')).code).toBe('render.template-missing');
  });
});
