import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import type { CommandDefinition } from '../../../src/cli/commands/definition.js';
import { buildProgram } from '../../../src/cli/program.js';
import { DEFAULT_WAIT_SECONDS, WAIT } from '../../../src/console/options.js';
import { runCli } from '../../support/run-cli.js';

interface Ran {
  definition: CommandDefinition;
  name: string;
  args: unknown[];
  flags: Record<string, unknown>;
}

/** The program built from COMMANDS, recording what it would run instead of running it. */
function program(): {
  parse: (...words: string[]) => Promise<Ran | undefined>;
  optionHelp: (command: string, flag: string) => string | undefined;
} {
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  let ran: Ran | undefined;
  const built = () =>
    buildProgram(COMMANDS, { stdout: sink, stderr: sink }, async (definition, name, args, flags) => {
      ran = { definition, name, args, flags };
    });
  return {
    parse: async (...words) => {
      ran = undefined;
      await built().parseAsync(['node', 'heal-pyroscope', ...words]);
      return ran;
    },
    optionHelp: (command, flag) =>
      built()
        .commands.find((c) => c.name() === command)
        ?.options.find((o) => o.long === flag)?.description,
  };
}

describe('commands as values (src/cli/commands)', () => {
  it('makes one command of each definition, in the order of the list', () => {
    const names = buildProgram(
      COMMANDS,
      { stdout: process.stdout, stderr: process.stderr },
      async () => {},
    ).commands.map((c) => c.name());
    expect(names).toEqual(COMMANDS.map((d) => d.name));
  });

  it('gives every command an action or commands under it, so that none runs another', () => {
    const withoutAction = (list: readonly CommandDefinition[]): string[] =>
      list.flatMap((d) => [
        ...(d.run || (d.commands?.length ?? 0) > 0 ? [] : [d.name]),
        ...withoutAction(d.commands ?? []),
      ]);
    expect(withoutAction(COMMANDS)).toEqual([]);
  });

  it('runs the definition the command line names, with its arguments and flags', async () => {
    const p = program();
    const backup = await p.parse('--json', 'backup', 'nightly.tar', '--force');
    expect(backup).toMatchObject({ name: 'backup', args: ['nightly.tar'], flags: { force: true, json: true } });
    expect(backup?.definition).toBe(COMMANDS.find((d) => d.name === 'backup'));
    expect(await p.parse('images', 'save', 'images.tar')).toMatchObject({ name: 'images save', args: ['images.tar'] });
    expect(await p.parse('logs', 'minio', 'tempo', '--tail', '5')).toMatchObject({
      name: 'logs',
      args: [['minio', 'tempo']],
      flags: { tail: 5 },
    });
  });

  it('shows a shared default in the help from the option that carries it, and applies it', async () => {
    const p = program();
    for (const command of ['install', 'restore']) {
      expect(p.optionHelp(command, '--wait')).toBe(`${WAIT.help} (default ${DEFAULT_WAIT_SECONDS})`);
      expect((await p.parse(command, ...(command === 'restore' ? ['backup.tar'] : [])))?.flags['wait']).toBe(
        DEFAULT_WAIT_SECONDS,
      );
    }
    expect((await p.parse('install', '--wait', '300'))?.flags['wait']).toBe(300);
  });

  it('loads a command’s implementation (src/commands) only inside its action', () => {
    const dir = new URL('../../../src/cli/commands/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/^import (?!type )[^;]*from '\.\.\/\.\.\/commands\//m);
    }
  });

  it('refuses an unknown command as a usage error, running none', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("error: unknown command 'frobnicate'\n(run with --help for usage)\n");
  });
});
