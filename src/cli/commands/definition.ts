// What a command is: one value holding its name, arguments, options, help and action (k0sctl's
// cmd/apply.go). Its action loads the command's implementation only when it runs (changesets'
// cli.ts), so start-up stays light; src/cli/program.ts makes commander commands of these values.
import type { Command } from 'commander';
import type { GatherContext } from '../../console/gather.js';
import type { OptionSpec, SettingsOptions } from '../../console/options.js';

/** A positional argument: `<file>`, `[component...]`. */
export interface ArgumentSpec {
  readonly name: string;
  readonly help?: string;
  readonly choices?: readonly string[];
}

/** What a command's action gets besides its arguments and flags. */
export interface CommandEnv {
  /** Where the command runs, whether it may prompt, and its output. */
  readonly ctx: GatherContext;
  readonly stdout: NodeJS.WritableStream;
  /** The whole program with every command's options, as completion scripts describe it. */
  fullProgram(): Promise<Command>;
}

export interface CommandDefinition<Args extends unknown[] = unknown[], Flags extends object = object> {
  readonly name: string;
  /** One line, for the program's list of commands. */
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  /** The command's own options, in the order --help lists them. */
  readonly options?: readonly OptionSpec[];
  /** Options from the settings table, after its own; added only when a command line names the command. */
  readonly settingsOptions?: SettingsOptions;
  /** Printed after the options by --help: what it does in more words, examples, exit codes. */
  readonly help?: string;
  /** Its --json output is JSON Lines: a document per record (logs). */
  readonly jsonLines?: boolean;
  readonly commands?: readonly CommandDefinition[];
  /**
   * Runs the command and gives its exit code. `args` and `flags` are what commander parsed from the
   * arguments and options declared above, with the program's (--json, --verbose) among the flags.
   * A method, so that a definition with its own Args and Flags is a CommandDefinition in a list.
   */
  run?(args: Args, flags: Flags, env: CommandEnv): Promise<number>;
}

/** Keeps a definition's own Args and Flags checked against its `run`. */
export function defineCommand<Args extends unknown[], Flags extends object>(
  definition: CommandDefinition<Args, Flags>,
): CommandDefinition<Args, Flags> {
  return definition;
}

export const EXIT_CODES = `
Exit codes:
  0    success
  1    a check failed, install/uninstall failed (and was rolled back), or logs could not read a component
  2    usage or config error (nothing was contacted)
  3    refused by the production guard (nothing was changed)
  130  interrupted (Ctrl-C)`;
