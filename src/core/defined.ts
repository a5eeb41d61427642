// Values the code knows are there where the types cannot tell: a regular expression's group that
// takes part in every match, an answer for each question asked, a default every key has. If that
// knowledge is ever wrong it is a bug: these throw, naming what was missing, where a `!` would
// assert it away and a default would cover it up.

/** `value`, or an Error naming the broken invariant; `what` names the value that should be there. */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal error: ${what} is missing`);
  return value;
}

/** Group `n` of a match, for a group its pattern fills in every match (not optional, not in an alternative). */
export function group(match: RegExpExecArray, n: number): string {
  return defined(match[n], `group ${n} of the match ${JSON.stringify(match[0])}`);
}
