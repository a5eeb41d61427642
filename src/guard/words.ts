// The production guard's one rule for a value (a declared environment, a host name, a variable's or
// a label's value): does it carry a production word? The value is normalised, split into words, and
// each word is judged; docs/configuration.md ("Production guard") states the rule in prose.
// Where the rule must choose it refuses: a false refusal costs a renamed host, a miss costs production.

/** The production words, longest first so that a glued `production` is not reported as `prod`. */
export const PRODUCTION_WORDS = ['production', 'prod', 'prd', 'live'] as const;
export type ProductionWord = (typeof PRODUCTION_WORDS)[number];

export interface ProductionMatch {
  /** The production word found. */
  word: ProductionWord;
  /** The normalised run of letters and digits it was found in, e.g. `prodweb01` or `prd7`. */
  matched: string;
}

/** Words that, written just before a production word, make it a pre-production or negated one. */
const NEGATIONS = ['pre', 'non', 'not'] as const;

/**
 * Ordinary words that merely start with a production word: a word that starts with one of these
 * stems passes (`products`, `productdemo`, `producer`, `liveness`, `lively`). `production` glued
 * to more letters is not among them: `productionweb` and `productions` are refused.
 */
const ORDINARY_STARTS = ['product', 'produc', 'prodig', 'liver', 'livel', 'liveness', 'livestock'] as const;

/** Ordinary words that merely end with a production word: the letters before it, by word. */
const ORDINARY_ENDS: Record<ProductionWord, readonly string[]> = {
  production: ['re', 'co', 'over', 'under'],
  prod: [],
  prd: [],
  live: ['o', 'a', 'c', 're', 'out'],
};

/**
 * Letters that look like Latin ones: Greek, Cyrillic and Armenian look-alikes (capital and small),
 * Latin small capitals and the dotless i, none of which NFKC changes. Enough to read `prοd` (Greek
 * omicron), `рrod` (Cyrillic er), `PRΟDUCTIΟΝ` (Greek capitals) or `ᴘʀᴏᴅ` as Latin letters.
 */
const LOOK_ALIKES: Record<string, string> = Object.fromEntries(
  Object.entries({
    a: 'αΑаА',
    b: 'βΒвВ',
    c: 'ϲϹсС',
    d: 'ԁԀᴅ',
    e: 'εΕеЕᴇ',
    g: 'ց',
    h: 'ΗнН',
    i: 'ιΙіІıɩɪ',
    j: 'ϳјЈ',
    k: 'κΚкК',
    l: 'ӏӀʟ',
    m: 'ΜмМ',
    n: 'ηΝпոɴ',
    o: 'οΟоОօᴏ',
    p: 'ρΡрРᴘ',
    q: 'ԛԚ',
    r: 'гʀ',
    s: 'ѕЅ',
    t: 'τΤтТᴛ',
    u: 'μυսᴜ',
    v: 'νѵѴᴠ',
    w: 'ԝԜ',
    x: 'χΧхХ',
    y: 'ΥуУ',
    z: 'Ζ',
  }).flatMap(([latin, like]) => [...like].map((ch) => [ch, latin])),
);

const fold = (text: string): string => [...text].map((ch) => LOOK_ALIKES[ch] ?? ch).join('');
const unmarked = (text: string): string => text.normalize('NFD').replace(/[\p{M}\p{Cf}]/gu, '');

/**
 * The value as the rule reads it: NFKC (full-width and other compatibility forms), accents and
 * invisible format characters (zero-width space, soft hyphen) removed, look-alike letters folded
 * to the Latin ones (capitals before lower-casing, so that a Greek capital Nu reads `n`, not `v`),
 * lower case.
 */
export function normaliseValue(value: string): string {
  return fold(unmarked(fold(unmarked(value.normalize('NFKC'))).toLowerCase()));
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/** Runs of letters and runs of digits: a word ends at every other character and where letters meet digits. */
function words(text: string): Word[] {
  return [...text.matchAll(/[a-z]+|[0-9]+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

/** The run of letters and digits around a word, for the evidence. */
function runAround(text: string, w: Word): string {
  let start = w.start;
  let end = w.end;
  while (start > 0 && /[a-z0-9]/.test(text.charAt(start - 1))) start -= 1;
  while (end < text.length && /[a-z0-9]/.test(text.charAt(end))) end += 1;
  return text.slice(start, end);
}

/** `pre`, `non` or `not` right before the word, glued or joined by `-` or `_` (`pre-prod`, `non_prod`). */
function negatedBefore(text: string, previous: Word | undefined, current: Word): boolean {
  if (previous === undefined || !/^[a-z]+$/.test(previous.text)) return false;
  if (!/^[-_]+$/.test(text.slice(previous.end, current.start))) return false;
  return (NEGATIONS as readonly string[]).includes(previous.text);
}

/** The production word a word of letters carries whole, glued at its start, or glued at its end. */
function judgeWord(word: string, negated: boolean): ProductionWord | null {
  for (const p of PRODUCTION_WORDS) {
    if (word === p) return negated ? null : p;
  }
  // Glued at the end: `dbprod`, `apilive`; `preprod`, `nonproduction` are negated, `olive` is ordinary.
  for (const p of PRODUCTION_WORDS) {
    if (!word.endsWith(p)) continue;
    const before = word.slice(0, -p.length);
    if (NEGATIONS.some((n) => before.endsWith(n))) continue;
    if (ORDINARY_ENDS[p].includes(before)) continue;
    return p;
  }
  // Glued at the start: `prodweb`, `prdapp`, `liveapi`, `productionweb`; `products` is ordinary.
  if (word.startsWith('production')) return 'production';
  if (ORDINARY_STARTS.some((s) => word.startsWith(s))) return null;
  for (const p of PRODUCTION_WORDS) {
    if (word.startsWith(p)) return p;
  }
  return null;
}

/**
 * The first production word in `value`, or null when it carries none. The one rule the guard
 * applies to the declared environment, every host name, every variable value and every label value.
 */
export function productionWord(value: string): ProductionMatch | null {
  const text = normaliseValue(value);
  const all = words(text);
  for (const [i, w] of all.entries()) {
    if (!/^[a-z]/.test(w.text)) continue;
    const word = judgeWord(w.text, negatedBefore(text, all[i - 1], w));
    if (word !== null) return { word, matched: runAround(text, w) };
  }
  return null;
}
