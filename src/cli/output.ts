// How results reach the operator: human lines (stdout, or stderr when --json owns stdout), one JSON
// document on stdout with --json, colours only on a terminal and never with NO_COLOR.
import { Chalk, type ChalkInstance } from 'chalk';
import { ExitCode, HealError, isHealError } from '../errors.js';

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
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
  /** The machine-readable result (only printed with --json). */
  result(document: unknown): void;
  /** Prints an error as `error: cause` + `hint: next step` and returns its exit code. */
  fail(error: unknown): number;
}

export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export function createOutput(
  options: OutputOptions,
  streams: { stdout: NodeJS.WritableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = process,
  env: NodeJS.ProcessEnv = process.env,
): Output {
  const human = options.json ? streams.stderr : streams.stdout;
  const color = new Chalk({ level: colorEnabled(env, human) ? 1 : 0 });
  const errColor = new Chalk({ level: colorEnabled(env, streams.stderr) ? 1 : 0 });
  // --json promises one document on stdout: an error after a result is told on stderr only.
  let documentWritten = false;
  return {
    json: options.json,
    verbose: options.verbose,
    color,
    humanStream: human,
    say: (line) => human.write(`${line}\n`),
    debug: (line) => {
      if (options.verbose) streams.stderr.write(`${errColor.dim(line)}\n`);
    },
    warn: (line) => streams.stderr.write(`${errColor.yellow('warning:')} ${line}\n`),
    result: (document) => {
      if (options.json && !documentWritten) streams.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      documentWritten = true;
    },
    fail: (error) => {
      const heal = toHealError(error);
      streams.stderr.write(`${errColor.red('error:')} ${heal.message}\n`);
      for (const detail of heal.details) streams.stderr.write(`  ${detail}\n`);
      // With --verbose the stack is printed below: a hint to run with --verbose would send the operator in a circle.
      const hint = options.verbose && heal.hint?.includes('--verbose') ? 'report it with the output above' : heal.hint;
      if (hint) streams.stderr.write(`${errColor.cyan('hint:')} ${hint}\n`);
      if (options.verbose && error instanceof Error && error.stack) streams.stderr.write(`${errColor.dim(error.stack)}\n`);
      if (options.json && !documentWritten) {
        documentWritten = true;
        streams.stdout.write(
          `${JSON.stringify({ ok: false, error: { code: heal.code, message: heal.message, details: heal.details, hint: heal.hint ?? null } }, null, 2)}\n`,
        );
      }
      return heal.exitCode;
    },
  };
}

/** Anything thrown becomes a HealError; an unexpected one says so and asks for --verbose. */
export function toHealError(error: unknown): HealError {
  if (isHealError(error)) return error;
  if (error instanceof Error && error.name === 'ExitPromptError') {
    return new HealError({ code: 'interrupted', message: 'interrupted at a prompt; nothing was changed', exitCode: ExitCode.interrupted });
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
