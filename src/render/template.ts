// The template engine: reads a file from `templates/` and fills its `{{name}}` slots. It refuses
// a slot without a value, a value without a slot and anything that looks like a broken slot, so
// a template and its caller cannot drift apart silently.

import { readFileSync } from 'node:fs';
import { HealError } from '../core/errors.js';

/** Every slot value goes through one escaper chosen by the file's format. */
export type Escaper = (value: TemplateValue, name: string) => string;
export type TemplateValue = string | number | boolean;

const SLOT = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

// src/render and dist/render both sit two levels below the package root, next to templates/.
const TEMPLATES_DIR = new URL('../../templates/', import.meta.url);

/** The text of `templates/<name>`. */
export function loadTemplate(name: string): string {
  try {
    return readFileSync(new URL(name, TEMPLATES_DIR), 'utf8');
  } catch (cause) {
    throw new HealError({
      code: 'render.template-missing',
      message: `template ${name} could not be read from ${TEMPLATES_DIR.pathname}`,
      hint: 'reinstall heal-pyroscope: its templates/ directory is incomplete',
      cause,
    });
  }
}

/** Fills every `{{name}}` in `text`; `templateName` only labels errors. */
export function fillTemplate(
  templateName: string,
  text: string,
  values: Readonly<Record<string, TemplateValue>>,
  escape: Escaper,
): string {
  const used = new Set<string>();
  const missing = new Set<string>();
  const filled = text.replace(SLOT, (_slot, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    used.add(name);
    return escape(value, name);
  });

  const problems: string[] = [];
  for (const name of missing) problems.push(`{{${name}}} has no value`);
  for (const name of Object.keys(values)) {
    if (!used.has(name)) problems.push(`value ${name} has no {{${name}}} slot`);
  }
  // A slot with a typo in its braces or name would otherwise reach the host verbatim.
  const stray = text.replace(SLOT, '').match(/\{\{|\}\}/);
  if (stray) problems.push(`malformed slot near "${stray[0]}"`);

  if (problems.length > 0) {
    throw new HealError({
      code: 'render.template',
      message: `template ${templateName} does not match its values: ${problems[0]}`,
      hint: 'this is a bug in heal-pyroscope: the template and the renderer disagree',
      details: problems,
    });
  }
  return filled;
}
