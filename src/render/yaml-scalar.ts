// Turns values into YAML scalars that mean exactly the value to every parser we feed: Pyroscope
// (go-yaml v3, YAML 1.2), Tempo (go-yaml v2, YAML 1.1) and Grafana's provisioning reader.
import { defined } from '../core/defined.js';

/**
 * A double-quoted YAML scalar whose text is printable ASCII only.
 *
 * Everything outside 0x20-0x7e is written as a `\u`/`\U` escape, so no character can act as a line
 * break (YAML 1.1 also breaks on NEL, LS and PS), a comment (`#` is inert inside quotes), a mapping
 * indicator (`:`) or a tag. `"` and `\` are the only characters that need their own escapes.
 * No `$` is touched: the configs are read without `-config.expand-env`, so `$` is literal.
 */
export function yamlQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    // A string iterates by code point: each `ch` is one whole character.
    const cp = defined(ch.codePointAt(0), 'the code point of a character');
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A scalar for a YAML template slot: strings are quoted, numbers and booleans stay plain. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value === 'string') return yamlQuoted(value);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`not a finite number: ${value}`);
  }
  return String(value);
}
