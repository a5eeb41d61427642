import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { quoteWord, shellQuote } from '../../../src/remote/shell-quote.js';

// What the remote shell turns the quoted line back into: printf prints each argument NUL-terminated.
async function roundTrip(shell: string, argv: string[]): Promise<string[]> {
  const { stdout } = await execa(shell, ['-c', shellQuote(['printf', '%s\\0', ...argv])], { stripFinalNewline: false });
  return stdout.split('\0').slice(0, -1);
}

const awkward: Record<string, string[]> = {
  spaces: ['a b', '  leading and trailing  ', '\ttab'],
  'single and double quotes': ["it's", '"quoted"', `'`, `''`, `a'b"c`],
  'dollar and expansions': ['$HOME', '${PATH}', '$(id)', '$((1+1))', '~', '~root', '*', '?', '[a]', '{a,b}'],
  backticks: ['`id`', 'a`b'],
  newlines: ['line1\nline2', '\n', 'trailing\n'],
  'empty strings': ['', 'x', ''],
  'leading dashes': ['-n', '--', '-e', '--flag=value'],
  unicode: ['héllo wörld', 'データ', '🚀 launch', 'naïve\u00a0nbsp'],
  'shell operators': [';', '&&', '|', '>', '<', '#comment', 'a=b', '\\', '!', '&'],
};

describe('shellQuote', () => {
  for (const [name, argv] of Object.entries(awkward)) {
    it(`passes ${name} through dash unchanged`, async () => {
      expect(await roundTrip('sh', argv)).toEqual(argv);
    });
    it(`passes ${name} through bash unchanged`, async () => {
      expect(await roundTrip('bash', argv)).toEqual(argv);
    });
  }

  it('leaves plain words readable', () => {
    expect(shellQuote(['docker', 'ps', '-a', '--format', 'json', '/var/run/docker.sock', 'user@host:22'])).toBe(
      'docker ps -a --format json /var/run/docker.sock user@host:22',
    );
  });

  it('quotes an empty string as two single quotes', () => {
    expect(quoteWord('')).toBe("''");
  });

  it('closes, escapes and reopens around a single quote', () => {
    expect(quoteWord("it's")).toBe(`'it'\\''s'`);
  });

  it('quotes a word with = so a first word is never an assignment', () => {
    expect(shellQuote(['FOO=bar', 'env'])).toBe("'FOO=bar' env");
  });

  it('keeps a leading dash as an argument (callers add -- where a command needs it)', () => {
    expect(shellQuote(['rm', '--', '-rf'])).toBe('rm -- -rf');
  });

  it('refuses NUL bytes, which no shell argument can hold', () => {
    expect(() => shellQuote(['a\0b'])).toThrow(/NUL/);
  });

  it('refuses an empty command', () => {
    expect(() => shellQuote([])).toThrow(/empty/);
  });
});
