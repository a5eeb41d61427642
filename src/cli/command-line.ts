// What a command line names, and commander's usage errors as ours: both read before a command runs,
// for the document a usage error writes with --json.
import type { Command, CommanderError } from 'commander';
import { ExitCode, HealError } from '../core/errors.js';
import type { CommandDefinition } from './commands/definition.js';

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

/** The definition of the command `commandNamed` gave (`images save`). */
export function definitionNamed(
  definitions: readonly CommandDefinition[],
  name: string | null,
): CommandDefinition | undefined {
  let found: CommandDefinition | undefined;
  let level = definitions;
  for (const word of name?.split(' ') ?? []) {
    found = level.find((d) => d.name === word);
    level = found?.commands ?? [];
  }
  return found;
}

/** commander's usage error as ours: `commander.unknownOption` becomes `usage.unknown-option`. */
export function usageError(error: CommanderError, command: string | null): HealError {
  const kind =
    error.code === 'commander.help'
      ? 'missing-command'
      : error.code.replace(/^commander\./, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const [first = '', ...rest] = error.message
    .replace(/^error: /, '')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const message = error.code === 'commander.help' ? `no command given${command ? ` to ${command}` : ''}` : first;
  return new HealError({
    code: `usage.${kind}`,
    message,
    details: error.code === 'commander.help' ? [] : rest,
    hint: `run heal-pyroscope ${command ? `${command} ` : ''}--help for usage`,
    exitCode: ExitCode.usage,
  });
}
