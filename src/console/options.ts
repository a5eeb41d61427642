// The options several commands share, each one value: its flag, its parser, its default and its
// help, written once (k0sctl's cmd/flags.go). A command lists them beside its own options; src/cli
// makes them commander options, and the help shows a default from the value the option carries.
import { InvalidArgumentError, type Command } from 'commander';
import type { FrontDoor } from '../render/context.js';
import { PLAIN_OPTIONS } from './plain-options.js';
import type * as Topology from './topology-options.js';

/** An option as a command declares it; src/cli/program.ts turns it into commander's Option. */
export interface OptionSpec<T = unknown> {
  /** commander's spelling: `--wait <seconds>`, `-n, --tail <lines>`, `--no-rollback`. */
  readonly flags: string;
  readonly help: string;
  /** Reads one occurrence; a bad value throws InvalidArgumentError (a usage error naming the flag). */
  parse?(text: string, previous: T | undefined): T;
  /** The values the flag accepts; --help lists them, and the default with them. */
  readonly choices?: readonly string[];
  /** What the command gets when the flag is absent. Without choices the help ends with `(default N)`. */
  readonly default?: T;
}

/**
 * Adds the options made from the settings table (about 180, in console/topology-options.ts) to a
 * command. The CLI calls it only once a command line names the command, so --help and --version
 * never load the settings table.
 */
export type SettingsOptions = (command: Command, topology: typeof Topology) => Command;

/** Topology flags, --config and --yes, then the SSH connection flags: every command that reaches hosts. */
export const TOPOLOGY_AND_CONNECTION: SettingsOptions = (command, t) =>
  t.withConnectionOptions(t.withTopologyOptions(command));

/** Topology flags, --config and --yes, without connection flags: for commands that write a config. */
export const TOPOLOGY_ONLY: SettingsOptions = (command, t) => t.withTopologyOptions(command);

/** A whole number of seconds from 1 to 3600. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 3600)
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a number of seconds from 1 to 3600.`);
  return n;
}

/** A repeatable, comma-separable flag: every occurrence adds its values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

export const JSON_OUTPUT: OptionSpec<boolean> = { flags: PLAIN_OPTIONS.json.flag, help: PLAIN_OPTIONS.json.help };

export const VERBOSE: OptionSpec<boolean> = { flags: PLAIN_OPTIONS.verbose.flag, help: PLAIN_OPTIONS.verbose.help };

/** `--dry-run`: the command prints what it would change instead; `help` says what that is for it. */
export const dryRun = (help: string): OptionSpec<boolean> => ({ flags: '--dry-run', help });

export const FORCE_UNLOCK: OptionSpec<boolean> = {
  flags: '--force-unlock',
  help: 'clear a lock left on the hosts by a run that died',
};

export const IGNORE_CHECK: OptionSpec<string[]> = {
  flags: '--ignore-check <id>',
  help: 'do not stop for this failed preflight check (repeatable; never the production guard)',
  parse: collect,
};

/** Seconds install and restore wait for each container to become healthy. */
export const DEFAULT_WAIT_SECONDS = 120;

export const WAIT: OptionSpec<number> = {
  flags: '--wait <seconds>',
  help: 'how long to wait for each container to become healthy',
  parse: parseSeconds,
  default: DEFAULT_WAIT_SECONDS,
};

/** Seconds verify waits for data the front door accepted to be queryable (not install's --wait). */
export const DEFAULT_DATA_WAIT_SECONDS = 30;

const FRONT_DOORS: readonly FrontDoor[] = ['container', 'external'];

/** `--front-door container|external`: whose HAProxy is the front door; `help` says what it means to the command. */
export const frontDoor = (help: string): OptionSpec<FrontDoor> => ({
  flags: '--front-door <mode>',
  help,
  choices: FRONT_DOORS,
  default: 'container',
});
