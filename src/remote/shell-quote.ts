// The one place where argv arrays become POSIX shell command lines (sshd hands the string to the
// user's shell). Every remote command in the product goes through `shellQuote`.

// Words made only of these characters mean the same quoted or not. `=` is left out so that a first
// word is never taken for a variable assignment; `~`, `#`, `{`, `*` etc. are left out because the
// shell expands or interprets them.
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

export function quoteWord(word: string): string {
  if (word.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (SAFE_WORD.test(word)) return word;
  // Inside single quotes nothing is special; a single quote itself is closed, escaped and reopened.
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('cannot quote an empty command');
  return argv.map(quoteWord).join(' ');
}
