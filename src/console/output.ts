// How results reach the operator: human lines (stdout, or stderr when --json owns stdout), one JSON
// document on stdout with --json, colours only on a terminal and never with NO_COLOR. Every JSON
// document gets its envelope (schemaVersion, command, ok) here and nowhere else.
import type { ChalkInstance, Chalk } from 'chalk';
import { ExitCode, HealError, isHealError } from '../core/errors.js';

/** Bumped when a field of a --json document changes meaning or goes away (adding one does not). */
export const SCHEMA_VERSION = 1;

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  /** The command the documents describe (`preflight`, `images save`, ...); null when the command line named none. */
  command?: string | null;
  /** JSON Lines (`logs`): every document on one line, a record per log line, then an error document if the command fails. */
  lines?: boolean;
}

/** What every --json document starts with; the command's own fields follow. */
export interface Envelope {
  schemaVersion: typeof SCHEMA_VERSION;
  command: string | null;
  ok: boolean;
}

/** A command's result: its verdict and its own fields, without the envelope. */
export interface ResultDocument {
  ok: boolean;
}

export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly color: ChalkInstance;
  /** Where human output goes (stdout, or stderr with --json), for renderers such as listr2. */
  readonly humanStream: NodeJS.WritableStream & { isTTY?: boolean };
  /** A human line: stdout normally, stderr with --json. */
  say(line: string): void;
  /** Only with --verbose. */
  debug(line: string): void;
  warn(line: string): void;
  /** The machine-readable result (only printed with --json), inside the envelope. */
  result<T extends ResultDocument>(document: T): void;
  /** One record of a line stream (only printed with --json): one compact document per line, each inside the envelope. */
  record<T extends ResultDocument>(document: T): void;
  /**
   * Prints an error as `error: cause` + `hint: next step` (unless `humanTold`: commander already
   * printed a usage error) and, with --json and no document yet, an error document; returns its exit code.
   */
  fail(error: unknown, options?: { humanTold?: boolean }): number;
}

export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** chalk's constructor once loadColour() has run; colourless output needs none. */
let ChalkClass: typeof Chalk | undefined;

/**
 * Loads chalk when one of the streams is a terminal that gets colours (chalk costs a few ms at
 * start-up). main awaits it before a command runs and before it prints an error of its own; --help,
 * --version and usage errors print no colour and never load it.
 */
export async function loadColour(env: NodeJS.ProcessEnv, streams: ReadonlyArray<{ isTTY?: boolean }>): Promise<void> {
  if (streams.some((s) => colorEnabled(env, s))) ChalkClass ??= (await import('chalk')).Chalk;
}

/**
 * What chalk prints at level 0, without loading it: any style, or chain of styles, returns its
 * arguments as one string (joined by spaces). Not a promise (`then`); chalk's `visible` is not used.
 */
const NO_COLOUR: ChalkInstance = new Proxy(
  (...parts: unknown[]) => (parts.length === 1 ? `${parts[0]}` : parts.join(' ')),
  {
    get: (target, key) =>
      key === 'level' ? 0 : typeof key === 'string' && key !== 'then' ? NO_COLOUR : Reflect.get(target, key),
  },
) as unknown as ChalkInstance;

/** A stream's colours, made when first used: chalk at level 1 on a terminal, NO_COLOUR otherwise. */
function lazyColour(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): () => ChalkInstance {
  let colour: ChalkInstance | undefined;
  return () => {
    if (colour) return colour;
    if (!colorEnabled(env, stream)) return (colour = NO_COLOUR);
    if (!ChalkClass) throw new Error('colour output before loadColour()');
    return (colour = new ChalkClass({ level: 1 }));
  };
}

export function createOutput(
  options: OutputOptions,
  streams: {
    stdout: NodeJS.WritableStream & { isTTY?: boolean };
    stderr: NodeJS.WritableStream & { isTTY?: boolean };
  } = process,
  env: NodeJS.ProcessEnv = process.env,
): Output {
  const human = options.json ? streams.stderr : streams.stdout;
  const color = lazyColour(env, human);
  const errColor = lazyColour(env, streams.stderr);
  // --json promises one document on stdout: an error after a result is told on stderr only.
  let documentWritten = false;
  const writeDocument = <T extends ResultDocument>(document: T) => {
    if (!options.json || documentWritten) return;
    documentWritten = true;
    streams.stdout.write(`${enveloped(document)}\n`);
  };
  const enveloped = <T extends ResultDocument>(document: T): string => {
    const envelope: Envelope = { schemaVersion: SCHEMA_VERSION, command: options.command ?? null, ok: document.ok };
    return options.lines
      ? JSON.stringify({ ...envelope, ...document })
      : JSON.stringify({ ...envelope, ...document }, null, 2);
  };
  return {
    json: options.json,
    verbose: options.verbose,
    get color() {
      return color();
    },
    humanStream: human,
    say: (line) => human.write(`${line}\n`),
    debug: (line) => {
      if (options.verbose) streams.stderr.write(`${errColor().dim(line)}\n`);
    },
    warn: (line) => streams.stderr.write(`${errColor().yellow('warning:')} ${line}\n`),
    result: (document) => {
      writeDocument(document);
      // A document that was not printed (no --json) still counts: an error after it goes to stderr only.
      documentWritten = true;
    },
    record: (document) => {
      if (options.json) streams.stdout.write(`${enveloped(document)}\n`);
    },
    fail: (error, failOptions = {}) => {
      const heal = toHealError(error);
      if (!failOptions.humanTold) {
        streams.stderr.write(`${errColor().red('error:')} ${heal.message}\n`);
        for (const detail of heal.details) streams.stderr.write(`  ${detail}\n`);
        // With --verbose the stack is printed below: a hint to run with --verbose would send the operator in a circle.
        const hint =
          options.verbose && heal.hint?.includes('--verbose') ? 'report it with the output above' : heal.hint;
        if (hint) streams.stderr.write(`${errColor().cyan('hint:')} ${hint}\n`);
        if (options.verbose && error instanceof Error && error.stack)
          streams.stderr.write(`${errColor().dim(error.stack)}\n`);
      }
      writeDocument({ ok: false, error: errorFields(heal) });
      return heal.exitCode;
    },
  };
}

/** The `error` object of a JSON document: the same fields wherever a document carries one. */
export function errorFields(error: HealError): {
  code: string;
  message: string;
  details: string[];
  hint: string | null;
} {
  return { code: error.code, message: error.message, details: [...error.details], hint: error.hint ?? null };
}

/** Anything thrown becomes a HealError; an unexpected one says so and asks for --verbose. */
export function toHealError(error: unknown): HealError {
  if (isHealError(error)) return error;
  if (error instanceof Error && error.name === 'ExitPromptError') {
    return new HealError({
      code: 'interrupted',
      message: 'interrupted at a prompt; nothing was changed',
      exitCode: ExitCode.interrupted,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HealError({
    code: 'internal',
    message: `unexpected failure: ${message.split('\n')[0]}`,
    hint: 'run again with --verbose for the stack trace, and report it with that output',
    exitCode: ExitCode.failed,
    cause: error,
  });
}
