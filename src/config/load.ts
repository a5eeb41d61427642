// Reads heal-pyroscope.yaml and validates it, turning every problem into one line that names the key
// path and the line in the file, e.g. `hosts.app: "app 01" is not a valid hostname (line 7)`.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ExitCode, HealError } from '../core/errors.js';
import { repeatedHosts } from './repeated-hosts.js';
import { expandPath } from './resolve.js';
import { configFile, type ConfigFile, type HostEntry } from './schema.js';

export interface ConfigProblem {
  path: string;
  message: string;
  line?: number;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path || '(top level)'}: ${p.message}${p.line ? ` (line ${p.line})` : ''}`;
}

export interface ParseOptions {
  /** The config file's directory: given, an identity file in it that is a directory is a problem. */
  dir?: string;
}

/** Parses and validates YAML text; returns the typed config or every problem found. */
export function parseConfig(
  text: string,
  options: ParseOptions = {},
): { config: ConfigFile; problems: [] } | { config: null; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      config: null,
      problems: doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        line: lineCounter.linePos(e.pos[0]).line,
      })),
    };
  }
  // A key written with nothing after it (`docker:` with only comments below) means "not set", and
  // so does a mapping with nothing set in it (`containers:` above a `logs:` with only comments).
  const raw: unknown = dropNulls(doc.toJS()) ?? {};
  const result = configFile.safeParse(raw);
  const problems = result.success
    ? meaningProblems(result.data, options)
    : result.error.issues.flatMap((issue) => describeIssue(issue, [], raw));
  if (result.success && problems.length === 0) return { config: result.data, problems: [] };
  const located = problems.map((p) => ({ ...p, line: lineOf(doc, lineCounter, p.pathParts) }));
  return {
    config: null,
    problems: located
      .map(({ pathParts, ...rest }) => ({ ...rest, path: formatPath(pathParts) }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  };
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HealError({
      code: 'config.unreadable',
      message:
        code === 'ENOENT'
          ? `config file ${path} does not exist`
          : `cannot read config file ${path} (${code ?? String(error)})`,
      hint: 'create one with `heal-pyroscope init`, or pass --config PATH',
      exitCode: ExitCode.usage,
    });
  }
  const parsed = parseConfig(text, { dir: dirname(path) });
  if (parsed.config) return parsed.config;
  const lines = parsed.problems.map(formatProblem);
  throw new HealError({
    code: 'config.invalid',
    message: `${path}: ${lines.length === 1 ? lines[0] : `${lines.length} problems`}`,
    details: lines.length === 1 ? [] : lines,
    hint: 'fix the keys named above; `heal-pyroscope init --help` shows every key',
    exitCode: ExitCode.usage,
  });
}

type PathPart = string | number;
interface RawProblem {
  pathParts: PathPart[];
  message: string;
}

/** What the schema cannot see: a target given twice, an identity file that is a directory. */
function meaningProblems(config: ConfigFile, options: ParseOptions): RawProblem[] {
  const hosts = config.hosts ?? {};
  const targets = hosts.targets ?? [];
  const problems: RawProblem[] = repeatedHosts(targets, config.ssh?.port).map((r) => ({
    pathParts: ['hosts', 'targets', r.index],
    message: `${r.host} is already hosts.targets[${r.first}] (one machine is one target)`,
  }));
  if (options.dir === undefined) return problems;
  const keys: Array<{ pathParts: PathPart[]; path: string | undefined }> = [
    { pathParts: ['ssh', 'identityFile'], path: config.ssh?.identityFile },
    ...(['web', 'app', 'db'] as const).map((tier) => ({
      pathParts: ['hosts', tier, 'identityFile'],
      path: identityOf(hosts[tier]),
    })),
    ...targets.map((t, i) => ({ pathParts: ['hosts', 'targets', i, 'identityFile'], path: identityOf(t) })),
  ];
  for (const { pathParts, path } of keys) {
    if (path === undefined) continue;
    const full = expandPath(path, options.dir);
    if (isDirectory(full))
      problems.push({ pathParts, message: `identity file ${full} is a directory, not a private key` });
  }
  return problems;
}

function identityOf(entry: HostEntry | undefined): string | undefined {
  return typeof entry === 'object' ? entry.identityFile : undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function describeIssue(issue: z.core.$ZodIssue, prefix: PathPart[], raw: unknown): RawProblem[] {
  const path = [...prefix, ...(issue.path as PathPart[])];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        pathParts: [...path, key],
        message: `unknown key${suggest(key, knownKeysAt(issue))}`,
      }));
    case 'invalid_union': {
      // A host entry is either a name or an object: report against the form the user wrote.
      const value = valueAt(raw, path);
      const branch = issue.errors.find((errs) => !errs.some((e) => e.code === 'invalid_type' && e.path.length === 0));
      if (branch) return branch.flatMap((e) => describeIssue(e, path, raw));
      return [{ pathParts: path, message: `expected a host name or an object with "host", got ${typeName(value)}` }];
    }
    case 'invalid_type': {
      const value = valueAt(raw, path);
      if (issue.expected === 'int' && typeof value === 'number')
        return [{ pathParts: path, message: `${value} is not a whole number` }];
      return [
        {
          pathParts: path,
          message:
            value === undefined
              ? `is required (${issue.expected})`
              : `expected ${expectedName(issue.expected)}, got ${typeName(value)}`,
        },
      ];
    }
    default:
      return [{ pathParts: path, message: issue.message }];
  }
}

function knownKeysAt(issue: z.core.$ZodIssueUnrecognizedKeys): string[] {
  // zod does not say which keys were allowed; the schema shape is walked instead.
  let node: unknown = configFile;
  for (const part of issue.path) {
    node = unwrap(node);
    const shape = (node as { shape?: Record<string, unknown> }).shape;
    if (shape && typeof part === 'string' && part in shape) node = shape[part];
    else if ((node as { element?: unknown }).element) node = (node as { element: unknown }).element;
    else return [];
  }
  node = unwrap(node);
  const shape = (node as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(node: unknown): unknown {
  let current = node as { unwrap?: () => unknown; options?: unknown[]; element?: unknown };
  for (;;) {
    if (typeof current.unwrap === 'function') current = current.unwrap() as typeof current;
    else if (Array.isArray(current.options)) {
      current = (current.options.find((o) => (o as { shape?: unknown }).shape) ?? current.options[0]) as typeof current;
    } else return current;
  }
}

function suggest(key: string, known: string[]): string {
  const close = known.filter((k) => distance(k.toLowerCase(), key.toLowerCase()) <= (k.length <= 3 ? 1 : 2));
  if (close.length > 0) return ` (did you mean "${close[0]}"?)`;
  return known.length > 0 ? ` (allowed: ${known.join(', ')})` : '';
}

/** Levenshtein distance, the table a row at a time: each cell from the cells above, left and above-left. */
function distance(a: string, b: string): number {
  let above = Array.from({ length: b.length + 1 }, (_, j) => j);
  let last = b.length;
  for (let i = 1; i <= a.length; i++) {
    let left = i;
    let diagonal = i - 1;
    const row = [left];
    for (const [j, up] of above.slice(1).entries()) {
      left = Math.min(up + 1, left + 1, diagonal + (a[i - 1] === b[j] ? 0 : 1));
      diagonal = up;
      row.push(left);
    }
    above = row;
    last = left;
  }
  return last;
}

function dropNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(dropNulls);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const set = entries.map(([k, v]) => [k, dropNulls(v)] as const).filter(([, v]) => v !== undefined);
    return set.length === 0 && entries.length > 0 ? undefined : Object.fromEntries(set);
  }
  return value;
}

function valueAt(raw: unknown, path: PathPart[]): unknown {
  return path.reduce<unknown>(
    (node, part) => (node && typeof node === 'object' ? (node as Record<PathPart, unknown>)[part] : undefined),
    raw,
  );
}

function expectedName(expected: string): string {
  return expected === 'object' ? 'a mapping' : expected === 'array' ? 'a list' : `a ${expected}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function formatPath(parts: PathPart[]): string {
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The line of the deepest node of `path` that exists in the document (a missing key: its parent). */
function lineOf(doc: Document, counter: LineCounter, path: PathPart[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    if (sub.length > 0 && depth === path.length) {
      // For an unknown or invalid key, point at the key itself, not its value.
      const parent = sub.length === 1 ? doc.contents : doc.getIn(sub.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => (item.key as { value?: unknown } | null)?.value === sub[sub.length - 1],
        );
        const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return counter.linePos(range[0]).line;
      }
    }
    const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}
