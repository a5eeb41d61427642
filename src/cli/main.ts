// The CLI's entrance: builds the program from the command definitions, runs the command a command
// line names and maps every outcome to a documented exit code. Heavy modules (ssh2, the Docker
// client, listr2) load only inside the commands that use them, so `--help` stays fast.
import { CommanderError } from 'commander';
import { ExitCode } from '../core/errors.js';
import { createOutput, loadColour, type Output } from '../console/output.js';
import { cliVersion } from '../console/version.js';
import { commandNamed, definitionNamed, usageError } from './command-line.js';
import { COMMANDS } from './commands/index.js';
import { buildProgram, fullCommand, loadTopology } from './program.js';

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
  const program = buildProgram(COMMANDS, io, async (definition, command, args, flags) => {
    await loadColour(io.env, [io.stdout, io.stderr]);
    const lines = definition.jsonLines === true;
    out = createOutput({ json: Boolean(flags.json), verbose: Boolean(flags.verbose), command, lines }, io, io.env);
    const topology = await loadTopology();
    const env = {
      ctx: { cwd: io.cwd, env: io.env, interactive: topology.isInteractive(flags, io.env, io.stdin, io.stderr), out },
      stdout: io.stdout,
      fullProgram: async () => fullCommand(program, topology),
    };
    try {
      exitCode = (await definition.run?.(args, flags, env)) ?? ExitCode.ok;
    } catch (error) {
      exitCode = out.fail(error);
    }
  });
  // Until a command runs, documents name the command the line names, for a usage error's document.
  const named = commandNamed(program, argv.slice(2));
  // Every command a word of the line names gets its settings options (and those of the commands under
  // it) before commander parses it, runs it or prints its help (`preflight --help`, `help preflight`,
  // `images --help`).
  const words = new Set(argv.slice(2));
  const inLine = program.commands.filter((command) => words.has(command.name()));
  if (inLine.length > 0) {
    const topology = await loadTopology();
    for (const command of inLine) fullCommand(command, topology);
  }
  const lines = definitionNamed(COMMANDS, named)?.jsonLines === true;
  const json = argv.includes('--json');
  out = createOutput({ json, verbose: argv.includes('--verbose'), command: named, lines }, io, io.env);
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
