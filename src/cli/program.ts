// The commander program made from the command definitions (src/cli/commands): the program's own
// options and help, then each definition's arguments, options, help and action, in list order.
import { Argument, Command, Option } from 'commander';
import { JSON_OUTPUT, VERBOSE, type OptionSpec, type SettingsOptions } from '../console/options.js';
import type * as Topology from '../console/topology-options.js';
import { cliVersion } from '../console/version.js';
import { EXIT_CODES, type ArgumentSpec, type CommandDefinition } from './commands/definition.js';

const ENVIRONMENT = `
Environment:
  NO_COLOR    disable colours (also off when output is not a terminal)
  CI          when set, never prompt (same as --yes)`;

const EXAMPLES = `
Examples:
  $ heal-pyroscope init                                  # write ./heal-pyroscope.yaml, asking for hosts
  $ heal-pyroscope preflight                             # check hosts, ports and flows; change nothing
  $ heal-pyroscope install --config staging.yaml
  $ heal-pyroscope preflight --yes --environment staging --target 10.1.0.5 \\
      --web web-01 --app app-01 --db db-01 --ssh-user deploy --identity-file ~/.ssh/id_ed25519
  $ heal-pyroscope status --config staging.yaml
  $ heal-pyroscope logs pyroscope --tail 100 --follow    # a component's log, then new lines until Ctrl-C
  $ heal-pyroscope agents nodejs --service checkout     # what to put into an agent to send to the door
  $ heal-pyroscope uninstall --config staging.yaml
  $ heal-pyroscope images save images.tar             # air-gapped sites: then install --images-from images.tar
  $ heal-pyroscope backup staging.backup.tar           # MinIO and Grafana volumes + credentials, one 0600 file
  $ heal-pyroscope restore staging.backup.tar          # onto empty hosts (after uninstall --purge, or new ones)
  $ heal-pyroscope version --json                        # this CLI's version and every pinned image
  $ source <(heal-pyroscope completion bash)             # tab completion (bash or zsh)
${EXIT_CODES}
${ENVIRONMENT}`;

/** Runs a definition's action with what commander parsed; `name` is its path (`images save`). */
export type RunDefinition = (
  definition: CommandDefinition,
  name: string,
  args: unknown[],
  flags: Record<string, unknown>,
) => Promise<void>;

export function buildProgram(
  definitions: readonly CommandDefinition[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  run: RunDefinition,
): Command {
  // Set before any subcommand is added: subcommands copy these settings when they are created.
  const program = new Command('heal-pyroscope')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    // Each command's help also lists the program's options (--json, --verbose) under "Global Options".
    .configureHelp({ showGlobalOptions: true })
    .description(
      'Install a continuous-profiling stack (Pyroscope, Tempo, Grafana, MinIO, HAProxy) on non-production ' +
        'hosts over SSH.\n' +
        'Hosts come from flags, then the config file (./heal-pyroscope.yaml or --config), then prompts on a terminal.',
    )
    .version(cliVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES);
  for (const spec of [JSON_OUTPUT, VERBOSE]) addOption(program, spec);
  for (const definition of definitions) addCommand(program, definition, [], run);
  return program;
}

function addCommand(parent: Command, definition: CommandDefinition, above: string[], run: RunDefinition): void {
  const path = [...above, definition.name];
  const command = parent.command(definition.name).description(definition.description);
  for (const spec of definition.arguments ?? []) command.addArgument(argument(spec));
  for (const spec of definition.options ?? []) addOption(command, spec);
  if (definition.settingsOptions) settingsOptions.set(command, definition.settingsOptions);
  if (definition.help) command.addHelpText('after', definition.help);
  for (const sub of definition.commands ?? []) addCommand(command, sub, path, run);
  if (!definition.run) return;
  command.action(async function (this: Command) {
    await run(definition, path.join(' '), this.processedArgs, this.optsWithGlobals());
  });
}

function argument(spec: ArgumentSpec): Argument {
  const arg = new Argument(spec.name, spec.help);
  return spec.choices ? arg.choices(spec.choices) : arg;
}

/**
 * A default with choices is commander's (the help lists it with them); any other default is set
 * as commander's would be, and the help ends with it: `(default 120)`.
 */
function addOption(command: Command, spec: OptionSpec): void {
  const withDefault = spec.default !== undefined && !spec.choices;
  const shown = withDefault ? `${spec.help} (default ${String(spec.default)})` : spec.help;
  const option = new Option(spec.flags, shown);
  if (spec.parse) option.argParser(spec.parse);
  if (spec.choices) option.choices(spec.choices);
  if (spec.choices && spec.default !== undefined) option.default(spec.default);
  command.addOption(option);
  if (withDefault) command.setOptionValueWithSource(option.attributeName(), spec.default, 'default');
}

/** The options each command gets only once a command line names it (fullCommand). */
const settingsOptions = new WeakMap<Command, SettingsOptions>();

/** The topology options module (and the settings table), loaded once the first time it is needed. */
let topologyModule: Promise<typeof Topology> | undefined;
export const loadTopology = (): Promise<typeof Topology> =>
  (topologyModule ??= import('../console/topology-options.js'));

/**
 * Adds the options made from the settings table to `command` and every command under it, once
 * each: only for a command that runs or whose help or completion is printed, so the program's
 * --help and --version neither build the ~180 options nor load the settings table. They follow
 * the command's own options.
 */
export function fullCommand(command: Command, topology: typeof Topology): Command {
  const add = settingsOptions.get(command);
  settingsOptions.delete(command);
  if (add) add(command, topology);
  for (const sub of command.commands) fullCommand(sub, topology);
  return command;
}
