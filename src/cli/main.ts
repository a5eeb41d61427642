// Commander wiring: parses the command line, builds the output, runs one command and maps every
// outcome to a documented exit code. Heavy modules (ssh2, the Docker client, listr2) load only inside the
// commands that use them, so `--help` stays fast.
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, HealError } from '../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../console/completion.js';
import { createOutput, loadColour, type Output } from '../console/output.js';
import { dryRun, FORCE_UNLOCK, frontDoor, IGNORE_CHECK, JSON_OUTPUT, parseSeconds, TOPOLOGY_AND_CONNECTION, TOPOLOGY_ONLY, VERBOSE, WAIT, type OptionSpec, type SettingsOptions } from '../console/options.js';
import type * as Topology from '../console/topology-options.js';
import type { TopologyFlags } from '../console/topology-options.js';
import type { GatherContext } from '../console/gather.js';
import { cliVersion, versionReport, versionText } from '../console/version.js';
import { parseSince, parseTail } from '../phases/logs/log-request.js';
import { COMPONENTS, type ComponentName } from '../stack/manifest.js';

const EXIT_CODES = `
Exit codes:
  0    success
  1    a check failed, install/uninstall failed (and was rolled back), or logs could not read a component
  2    usage or config error (nothing was contacted)
  3    refused by the production guard (nothing was changed)
  130  interrupted (Ctrl-C)`;

const ENVIRONMENT = `
Environment:
  NO_COLOR    disable colours (also off when output is not a terminal)
  CI          when set, never prompt (same as --yes)`;

function parseTailLines(value: string): number {
  const parsed = parseTail(value);
  if ('problem' in parsed) throw new InvalidArgumentError(`${parsed.problem}.`);
  return parsed.lines;
}

function parseSinceValue(value: string): number {
  const parsed = parseSince(value, Date.now());
  if ('problem' in parsed) throw new InvalidArgumentError(`${parsed.problem}.`);
  return parsed.seconds;
}

/**
 * Adds options given as values, in order. A default with choices is commander's (the help lists it
 * with them); any other default is set as commander's would be, and the help ends with it.
 */
function withOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    const shown = spec.default === undefined || spec.choices ? spec.help : `${spec.help} (default ${String(spec.default)})`;
    const option = new Option(spec.flags, shown);
    if (spec.parse) option.argParser(spec.parse);
    if (spec.choices) option.choices(spec.choices);
    if (spec.choices && spec.default !== undefined) option.default(spec.default);
    command.addOption(option);
    if (!spec.choices && spec.default !== undefined) command.setOptionValueWithSource(option.attributeName(), spec.default, 'default');
  }
  return command;
}

/** The options a command gets only once a command line names it (fullCommand). */
const laterOptions = new WeakMap<Command, SettingsOptions>();

/**
 * The options made from the settings table (the topology and connection options the commands share,
 * about 180 in all, and images save's) are added to a command only when it is run, or its help or
 * completion is printed: the program's --help and --version neither build them nor load the
 * settings table. They follow the command's own options, in the same order as before.
 */
function later(add: SettingsOptions): (command: Command) => Command {
  return (command) => {
    laterOptions.set(command, add);
    return command;
  };
}

/** The topology options module (and the settings table), loaded once the first time it is needed. */
let topologyModule: Promise<typeof Topology> | undefined;
const loadTopology = (): Promise<typeof Topology> => (topologyModule ??= import('../console/topology-options.js'));

/** Adds the later options of `command` and every command under it, once each. */
function fullCommand(command: Command, topology: typeof Topology): Command {
  const add = laterOptions.get(command);
  laterOptions.delete(command);
  if (add) add(command, topology);
  for (const sub of command.commands) fullCommand(sub, topology);
  return command;
}

interface GlobalFlags {
  json?: boolean;
  verbose?: boolean;
}

export function buildProgram(
  run: (command: string, flags: TopologyFlags & GlobalFlags & Record<string, unknown>) => Promise<number>,
  io: Pick<MainIo, 'stdout' | 'stderr'>,
): Command {
  // Set before any subcommand is added: subcommands copy these settings when they are created.
  const program = withOptions(new Command('heal-pyroscope')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    // Each command's help also lists the program's options (--json, --verbose) under "Global Options".
    .configureHelp({ showGlobalOptions: true })
    .description(
      'Install a continuous-profiling stack (Pyroscope, Tempo, Grafana, MinIO, HAProxy) on non-production hosts over SSH.\n' +
        'Hosts come from flags, then the config file (./heal-pyroscope.yaml or --config), then prompts on a terminal.',
    )
    .version(cliVersion(), '-V, --version'), [JSON_OUTPUT, VERBOSE])
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ heal-pyroscope init                                  # write ./heal-pyroscope.yaml, asking for hosts
  $ heal-pyroscope preflight                             # check hosts, ports and flows; change nothing
  $ heal-pyroscope install --config staging.yaml
  $ heal-pyroscope preflight --yes --environment staging --target 10.1.0.5 \\
      --web web-01 --app app-01 --db db-01 --ssh-user deploy --identity-file ~/.ssh/id_ed25519
  $ heal-pyroscope status --config staging.yaml
  $ heal-pyroscope logs pyroscope --tail 100 --follow    # a component's log, then new lines until Ctrl-C
  $ heal-pyroscope uninstall --config staging.yaml
  $ heal-pyroscope images save images.tar             # air-gapped sites: then install --images-from images.tar
  $ heal-pyroscope backup staging.backup.tar           # MinIO and Grafana volumes + credentials, one 0600 file
  $ heal-pyroscope restore staging.backup.tar          # onto empty hosts (after uninstall --purge, or new ones)
  $ heal-pyroscope version --json                        # this CLI's version and every pinned image
  $ source <(heal-pyroscope completion bash)             # tab completion (bash or zsh)
${EXIT_CODES}
${ENVIRONMENT}`,
    );

  const action = (name: string) =>
    async function (this: Command) {
      process.exitCode = await run(name, this.optsWithGlobals());
    };

  later(TOPOLOGY_AND_CONNECTION)(
    program
      .command('preflight')
      .description('check every host before installing: SSH, Docker, resources, ports, network flows, production guard')
      .addHelpText(
        'after',
        `
Changes nothing on any host (a flow to a port where nothing listens yet is tested with a listener
that exits by itself within seconds). Runs the production guard first.

Examples:
  $ heal-pyroscope preflight
  $ heal-pyroscope preflight --config staging.yaml --json > preflight.json
  $ heal-pyroscope preflight --yes --accept-new-host-keys --junit preflight.xml
${EXIT_CODES}`,
      )
      .option('--junit <file>', 'also write the results as JUnit XML (one suite per host)'),
  ).action(action('preflight'));

  later(TOPOLOGY_AND_CONNECTION)(
    withOptions(program
      .command('install')
      .description('install the stack: guard, preflight, pull pinned images, write configs, start containers, verify')
      .addHelpText(
        'after',
        `
Idempotent: a second run with the same config changes nothing (every container "unchanged", no
pull). A failure or Ctrl-C rolls back what this run changed; data volumes are never removed.
Credentials are generated on the first run into .heal-pyroscope/ENVIRONMENT.state.json beside the
config file (mode 0600) and reused; they are never printed.

Examples:
  $ heal-pyroscope install
  $ heal-pyroscope install --config staging.yaml --dry-run
  $ heal-pyroscope install --config staging.yaml --yes --json > install.json
  $ heal-pyroscope install --ignore-check clock.skew --wait 300
${EXIT_CODES}`,
      ),
      [
      dryRun('print the plan per host (images to pull, containers to create/recreate/keep, files to write); change nothing'),
      { flags: '--no-rollback', help: 'on failure keep what this run changed, for debugging (clean up with uninstall)' },
      IGNORE_CHECK,
      FORCE_UNLOCK,
      frontDoor('container: run our HAProxy on the web host; external: write a section for the HAProxy already there (checked with haproxy -c on this machine first)'),
      WAIT,
      { flags: '--images-from <file>', help: 'load missing images from an archive written by `images save` instead of pulling (air-gapped sites)' },
    ]),
  ).action(action('install'));

  later(TOPOLOGY_AND_CONNECTION)(
    withOptions(program
      .command('uninstall')
      .description('remove exactly what install created; data volumes are kept')
      .addHelpText(
        'after',
        `
Removes, on every server host, the containers, network and configuration files that carry
heal-pyroscope's labels or live in /opt/heal-pyroscope; never anything else. Data volumes and the
local state (credentials) are kept unless --purge. A host that cannot be reached is reported (exit
1) and the others are still cleaned; run it again later to finish.

Examples:
  $ heal-pyroscope uninstall --config staging.yaml
  $ heal-pyroscope uninstall --dry-run
  $ heal-pyroscope uninstall --purge --yes
${EXIT_CODES}`,
      ),
      [
      dryRun('print what would be removed; change nothing'),
      { flags: '--purge', help: 'also remove the data volumes, the images installs pulled that no other container uses, and the local state (asks to type the environment name, or --yes)' },
      FORCE_UNLOCK,
    ]),
  ).action(action('uninstall'));

  later(TOPOLOGY_AND_CONNECTION)(
    withOptions(program
      .command('status')
      .description('show per host and component: running, healthy, image, ports, drift from the config')
      .addHelpText(
        'after',
        `
Exit 0 when every component is running, healthy and as configured; 1 otherwise.

Examples:
  $ heal-pyroscope status
  $ heal-pyroscope status --config staging.yaml --json
${EXIT_CODES}`,
      ),
      [frontDoor('as given to install: external expects no HAProxy container')]),
  ).action(action('status'));

  later(TOPOLOGY_AND_CONNECTION)(
    withOptions(program
      .command('verify')
      .description('send a synthetic profile and span from each target through the front door and read both back')
      .addHelpText(
        'after',
        `
From each target, over its own SSH connection (nothing is installed there): one profile to
Pyroscope's /ingest and one OTLP span over gRPC, through the front door (web:9940), both under the
service name heal-pyroscope-verify; then both read back from Pyroscope's and Tempo's query APIs on
the app host, and Grafana's health check of both data sources. A failure names the target and the
hop (target -> web, web -> app, app -> db). Exit 0 when everything was found; 1 otherwise.

Examples:
  $ heal-pyroscope verify
  $ heal-pyroscope verify --config staging.yaml --json
${EXIT_CODES}`,
      ),
      [{ flags: '--wait <seconds>', help: 'how long accepted data may take to show up', parse: parseSeconds, default: 30 }]),
  ).action(action('verify'));

  later(TOPOLOGY_AND_CONNECTION)(
    program
      .command('logs')
      .description('print the containers\' logs (all components, or those named), each line prefixed with its component')
      .addArgument(new Argument('[component...]', 'components whose logs to print (default: every installed one)').choices(COMPONENTS.map((c) => c.name)))
      .addHelpText(
        'after',
        `
Reads each container's log through the host's SSH connection (the Docker Engine API; no docker CLI
is needed on the hosts). Lines are prefixed with their component, and with their host when the
components live on several machines; stdout and stderr lines are both printed, in order per
container. Without --follow the containers are printed one after the other; with --follow their
new lines interleave as they come, until the containers stop or Ctrl-C (exit 130).

--since takes a duration back from now (90s, 10m, 1h30m, 2d) or a time (2026-11-25T14:00:00Z; a
date alone is midnight UTC; a time without a zone is this machine's local time). It is compared with
the hosts' clocks.

With --json every line is one JSON document on its own line (JSON Lines):
  {"schemaVersion":1,"command":"logs","ok":true,"component":"pyroscope","host":"app-01","stream":"stderr","time":"2026-11-25T14:02:11.482913Z","line":"..."}

A component that is not installed (or whose host cannot be reached) is an error naming it (exit 1);
an unknown component name is a usage error (exit 2).

Examples:
  $ heal-pyroscope logs                                  # every component's whole log
  $ heal-pyroscope logs pyroscope --tail 50              # Pyroscope's last 50 lines
  $ heal-pyroscope logs minio grafana --since 10m        # the last ten minutes of two components
  $ heal-pyroscope logs --follow --tail 0                # only new lines, from all, until Ctrl-C
  $ heal-pyroscope logs tempo --since 2026-11-25T14:00:00Z --json | jq -r 'select(.stream == "stderr") | .line'
${EXIT_CODES}`,
      )
      .option('-n, --tail <lines>', 'only the last N lines of each container (0: none, with --follow: only new ones)', parseTailLines)
      .option('--since <duration|time>', 'only lines from this time on: a duration back from now (10m, 1h30m, 2d) or a time (2026-11-25T14:00:00Z)', parseSinceValue)
      .option('-f, --follow', 'keep printing new lines until the containers stop or Ctrl-C (exit 130)'),
  ).action(async function (this: Command, components: ComponentName[]) {
    process.exitCode = await run('logs', { ...this.optsWithGlobals(), components });
  });

  later(TOPOLOGY_AND_CONNECTION)(
    withOptions(program
      .command('backup')
      .description('write the data volumes of MinIO and Grafana and the credentials into one archive (mode 0600)')
      .argument('<file>', 'the archive to write (a plain tar)')
      .addHelpText(
        'after',
        `
Reads MinIO's /data and Grafana's /var/lib/grafana through each host's Docker engine (nothing is
installed on the hosts) and the local state (the generated credentials). Each container is paused
only while its own volume is read, so the copy is one moment of it; the summary says for how long.
The archive is written to a temp file beside FILE with mode 0600 (it holds the credentials) and
takes FILE's name only when complete; its manifest lists each member with its size and sha256.
Pyroscope's and Tempo's volumes are not included: their profiles and traces are in MinIO.

Examples:
  $ heal-pyroscope backup staging.backup.tar --config staging.yaml
  $ heal-pyroscope backup nightly.tar --force --json > backup.json   # replace last night's file
${EXIT_CODES}`,
      ),
      [{ flags: '--force', help: 'replace FILE when it exists' }, FORCE_UNLOCK]),
  ).action(async function (this: Command, file: string) {
    process.exitCode = await run('backup', { ...this.optsWithGlobals(), file });
  });

  later(TOPOLOGY_AND_CONNECTION)(
    withOptions(program
      .command('restore')
      .description('install the stack with the data and credentials of a backup: volumes filled before the containers start')
      .argument('<file>', 'an archive written by `heal-pyroscope backup`')
      .addHelpText(
        'after',
        `
Onto the same or other hosts of the same shape, after uninstall --purge or on fresh hosts. FILE
is read end to end first: a member whose size or sha256 does not match the manifest refuses it
before any host is contacted. Then as install does (production guard, lock, preflight, images,
configuration), each volume is filled through the engine before its container starts, with the
credentials of the backup, and the stack is verified. A failure rolls back what the restore made.
It refuses a heal-pyroscope container that exists, and a volume that holds data unless --force.

Examples:
  $ heal-pyroscope uninstall --purge --yes && heal-pyroscope restore staging.backup.tar
  $ heal-pyroscope restore staging.backup.tar --config new-hosts.yaml --json > restore.json
${EXIT_CODES}`,
      ),
      [
      { flags: '--force', help: "replace a volume's data (gone for good, even if the restore then fails) and a local state with other credentials" },
      IGNORE_CHECK,
      FORCE_UNLOCK,
      WAIT,
    ]),
  ).action(async function (this: Command, file: string) {
    process.exitCode = await run('restore', { ...this.optsWithGlobals(), file });
  });

  later(TOPOLOGY_ONLY)(
    program
      .command('init')
      .description('write a commented config file (default ./heal-pyroscope.yaml), asking on a terminal for what flags leave open')
      .option('--force', 'overwrite an existing config file')
      .addHelpText(
        'after',
        `
Examples:
  $ heal-pyroscope init
  $ heal-pyroscope init --config staging.yaml --environment staging --target 10.1.0.5 \\
      --web web-01 --app app-01 --db db-01 --ssh-user deploy --identity-file ~/.ssh/id_ed25519
${EXIT_CODES}`,
      ),
  ).action(action('init'));

  const images = program.command('images').description('move the pinned images without a registry (air-gapped sites)');
  later((command, t) =>
    command
      .option('-c, --config <path>', 'read registry.prefix and images from this config file (default: ./heal-pyroscope.yaml when it exists)')
      .addOption(t.settingOption('registryPrefix'))
      .addOption(t.settingOption('images'))
      .option('--docker-socket <path>', 'local Docker engine socket (default: DOCKER_HOST if unix:// or plain tcp://, else /var/run/docker.sock)'),
  )(
    images
      .command('save <file>')
      .description('pull every pinned image into the local Docker engine and write them into one archive for install --images-from'),
  )
    .addHelpText(
      'after',
      `
Run it on a machine that can pull (Docker running, registry reachable); copy FILE to a machine that
reaches the hosts, then install from it: each host loads only the images it runs, over SSH.

Examples:
  $ heal-pyroscope images save heal-pyroscope-images.tar
  $ heal-pyroscope images save --config staging.yaml images.tar   # with its registry.prefix and images
  $ heal-pyroscope install --config staging.yaml --images-from heal-pyroscope-images.tar
${EXIT_CODES}`,
    )
    .action(async function (this: Command, file: string) {
      process.exitCode = await run('images save', { ...this.optsWithGlobals(), file });
    });

  program
    .command('version')
    .description('print the version of this CLI and the image each component runs (the pins)')
    .addHelpText(
      'after',
      `
Examples:
  $ heal-pyroscope version
  $ heal-pyroscope version --json | jq -r '.images.pyroscope'`,
    )
    .action(action('version'));

  program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ source <(heal-pyroscope completion bash)                                        # this shell
  $ heal-pyroscope completion bash > ~/.local/share/bash-completion/completions/heal-pyroscope
  $ heal-pyroscope completion zsh > "\${fpath[1]}/_heal-pyroscope"                    # then start a new zsh`,
    )
    .action(async function (this: Command, shell: Shell) {
      process.exitCode = await run('completion', { ...this.optsWithGlobals(), shell });
    });

  return program;
}

export interface MainIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const processIo = (): MainIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  // Asked only whether it is a terminal, when a command runs: --help does not open stdin.
  stdin: {
    get isTTY() {
      return process.stdin.isTTY;
    },
  },
  env: process.env,
  cwd: process.cwd(),
});

const guarded = new WeakSet<object>();

/**
 * A reader that goes away early (`heal-pyroscope --help | head -1`) ends our output, not the process:
 * Node reports the closed pipe as an EPIPE 'error' event, which unhandled is a stack trace and exit 1.
 * The command goes on (an install still finishes or rolls back) with nobody reading its output.
 */
function toleratePipeClosed(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

/**
 * The command a command line names (`images save`), by walking commander's tree over the words that
 * are not options (the program's own options take no value); null when the first word names none.
 */
export function commandNamed(program: Command, args: readonly string[]): string | null {
  const path: string[] = [];
  let at = program;
  for (const word of args) {
    if (word.startsWith('-')) continue;
    const next = at.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) break;
    path.push(next.name());
    at = next;
  }
  return path.length > 0 ? path.join(' ') : null;
}

/** commander's usage error as ours: `commander.unknownOption` becomes `usage.unknown-option`. */
export function usageError(error: CommanderError, command: string | null): HealError {
  const kind = error.code === 'commander.help' ? 'missing-command' : error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n').filter((l) => l.trim() !== '');
  const message = error.code === 'commander.help' ? `no command given${command ? ` to ${command}` : ''}` : first;
  return new HealError({
    code: `usage.${kind}`,
    message,
    details: error.code === 'commander.help' ? [] : rest,
    hint: `run heal-pyroscope ${command ? `${command} ` : ''}--help for usage`,
    exitCode: ExitCode.usage,
  });
}

export async function main(argv: string[], io: MainIo = processIo()): Promise<number> {
  toleratePipeClosed(io.stdout);
  toleratePipeClosed(io.stderr);
  // `--version` alone is answered before the program is built, with the line commander prints for it.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    io.stdout.write(`${cliVersion()}\n`);
    return ExitCode.ok;
  }
  let out: Output;
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(async (command, flags) => {
    await loadColour(io.env, [io.stdout, io.stderr]);
    out = createOutput({ json: Boolean(flags.json), verbose: Boolean(flags.verbose), command, lines: command === 'logs' }, io, io.env);
    const { isInteractive } = await loadTopology();
    const ctx: GatherContext = { cwd: io.cwd, env: io.env, interactive: isInteractive(flags, io.env, io.stdin, io.stderr), out };
    try {
      if (command === 'version') {
        const report = versionReport();
        if (out.json) out.result(report);
        else out.say(versionText(report));
      } else if (command === 'completion') {
        io.stdout.write(completionScript(flags.shell as Shell, fullCommand(program, await loadTopology())));
      } else if (command === 'init') {
        const { runInit } = await import('../commands/init.js');
        exitCode = await runInit(flags, ctx);
      } else if (command === 'preflight') {
        const { runPreflightCommand } = await import('../commands/preflight.js');
        exitCode = await runPreflightCommand(flags, ctx);
      } else if (command === 'install') {
        const { runInstallCommand } = await import('../commands/install.js');
        exitCode = await runInstallCommand(flags, ctx);
      } else if (command === 'images save') {
        const { runImagesSave } = await import('../commands/images.js');
        exitCode = await runImagesSave(String(flags.file), flags, ctx);
      } else if (command === 'logs') {
        const { runLogsCommand } = await import('../commands/logs.js');
        exitCode = await runLogsCommand(flags as Parameters<typeof runLogsCommand>[0], ctx);
      } else if (command === 'backup') {
        const { runBackupCommand } = await import('../commands/backup.js');
        exitCode = await runBackupCommand(String(flags.file), flags, ctx);
      } else if (command === 'restore') {
        const { runRestoreCommand } = await import('../commands/restore.js');
        exitCode = await runRestoreCommand(String(flags.file), flags, ctx);
      } else if (command === 'verify') {
        const { runVerifyCommand } = await import('../commands/verify.js');
        exitCode = await runVerifyCommand(flags as Parameters<typeof runVerifyCommand>[0], ctx);
      } else if (command === 'uninstall') {
        const { runUninstallCommand } = await import('../commands/uninstall.js');
        exitCode = await runUninstallCommand(flags, ctx);
      } else {
        const { runStatusCommand } = await import('../commands/status.js');
        exitCode = await runStatusCommand(flags as Parameters<typeof runStatusCommand>[0], ctx);
      }
    } catch (error) {
      exitCode = out.fail(error);
    }
    return exitCode;
  }, io);
  // Until a command runs, documents name the command the line names, for a usage error's document.
  const named = commandNamed(program, argv.slice(2));
  // Every command a word of the line names gets its later options (and those of the commands under
  // it) before commander parses it, runs it or prints its help (`preflight --help`, `help preflight`,
  // `images --help`).
  const words = new Set(argv.slice(2));
  const inLine = program.commands.filter((command) => words.has(command.name()));
  if (inLine.length > 0) {
    const topology = await loadTopology();
    for (const command of inLine) fullCommand(command, topology);
  }
  out = createOutput({ json: argv.includes('--json'), verbose: argv.includes('--verbose'), command: named, lines: named === 'logs' }, io, io.env);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; everything else is a usage error, which commander
      // has already told on stderr: with --json stdout gets its error document (exit 2 either way).
      if (error.exitCode === 0) return ExitCode.ok;
      out.fail(usageError(error, commandNamed(program, argv.slice(2))), { humanTold: true });
      return ExitCode.usage;
    }
    await loadColour(io.env, [io.stderr]);
    return out.fail(error);
  }
  return exitCode;
}
