import { describe, expect, it } from 'vitest';
import { defined, group } from '../../../src/core/defined.js';

describe('defined', () => {
  it('hands back a value that is there, falsy ones included', () => {
    expect(defined(0, 'a count')).toBe(0);
    expect(defined('', 'a name')).toBe('');
    expect(defined(null, 'a limit')).toBeNull();
  });

  it('throws, naming the value, when it is missing', () => {
    expect(() => defined(undefined, 'the answer for web-01')).toThrow(
      'internal error: the answer for web-01 is missing',
    );
  });
});

describe('group', () => {
  it('reads a group that took part in the match', () => {
    const m = /^(\w+)=(.*)$/.exec('KEY=value');
    expect(m && [group(m, 1), group(m, 2)]).toEqual(['KEY', 'value']);
  });

  it('throws for a group that did not take part, naming the match', () => {
    const m = /^(a)?b$/.exec('b');
    expect(() => m && group(m, 1)).toThrow('internal error: group 1 of the match "b" is missing');
  });
});
