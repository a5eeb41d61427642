// The JSON contract as a test sees it: schema/heal-pyroscope.schema.json compiled once with ajv
// (draft 2020-12, strict about unknown keywords), and a check that a command's stdout is exactly one valid document.
// Tests only: the CLI never loads the schema or the validator.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const SCHEMA_PATH = new URL('../../schema/heal-pyroscope.schema.json', import.meta.url);

export const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;

const validate = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true }).compile(
  schema,
);

export interface JsonDocument {
  schemaVersion: number;
  command: string | null;
  ok: boolean;
  error?: { code: string; message: string; details: string[]; hint: string | null };
  [field: string]: unknown;
}

/** Parses stdout as one JSON document and throws, naming each violation, unless the schema accepts it. */
export function contractDocument(stdout: string): JsonDocument {
  const document: unknown = JSON.parse(stdout);
  if (!validate(document)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
    throw new Error(`--json document does not match the schema:\n${problems.join('\n')}\n${stdout}`);
  }
  return document as JsonDocument;
}
