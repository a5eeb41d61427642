// The commands' shared topology and connection options are added to a command only when a command
// line names it (main.ts, `later`), as are images save's: every way of printing a command's help
// must still show them.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

// `help images save` is commander's help of `images`, as it always was: only the top-level commands.
const COMMANDS = [
  ['preflight'],
  ['install'],
  ['uninstall'],
  ['status'],
  ['verify'],
  ['logs'],
  ['backup'],
  ['restore'],
  ['init'],
  ['images'],
  ['version'],
  ['completion'],
];

describe('help of each command', () => {
  it('prints the same for `help COMMAND` as for `COMMAND --help`, shared options included', async () => {
    for (const path of COMMANDS) {
      const [viaFlag, viaCommand] = await Promise.all([runCli([...path, '--help']), runCli(['help', ...path])]);
      expect(viaCommand, path.join(' ')).toEqual(viaFlag);
      expect(viaFlag.code).toBe(0);
    }
    for (const path of [['preflight'], ['logs'], ['init']]) {
      const { stdout } = await runCli(['help', ...path]);
      for (const flag of ['--config <path>', '--ssh-user <user>', '--web <host>', '--yes'])
        expect(stdout, `help ${path.join(' ')}`).toContain(flag);
    }
    expect((await runCli(['help', 'status'])).stdout).toContain('--connect-timeout <seconds>');
    // images save's options (from the settings table) are there when only `images` is named.
    for (const line of [
      ['images', '--help'],
      ['help', 'images'],
    ])
      expect((await runCli(line)).stdout, line.join(' ')).toMatch(/^ {2}save \[options\] <file> /m);
    expect((await runCli(['images', 'save', '--help'])).stdout).toContain('--registry-prefix <prefix>');
  });

  it('builds the shared options once however often the line names the command', async () => {
    const r = await runCli(['preflight', 'preflight', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/--ssh-user <user>/g)).toHaveLength(1);
  });
});
