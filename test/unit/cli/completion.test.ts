import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

interface HelpEntry {
  path: string[];
  options: string[];
  commands: string[];
}

/** The options and commands a `--help` screen lists (its Options, Global Options and Commands sections). */
function helpEntries(text: string): { options: string[]; commands: string[] } {
  const options: string[] = [];
  const commands: string[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    if (/^\S.*:$/.test(line)) section = line;
    const term = /^ {2}(\S.*?)(?: {2,}|$)/.exec(line)?.[1];
    if (!term) continue;
    if (section === 'Options:' || section === 'Global Options:')
      options.push(...term.split(/[ ,]+/).filter((w) => /^--?[a-zA-Z]/.test(w)));
    if (section === 'Commands:') commands.push(term.split(' ')[0]!);
  }
  return { options, commands };
}

/** Every command path of the CLI, read from the help screens as an operator sees them. */
async function helpTree(path: string[] = []): Promise<HelpEntry[]> {
  const r = await runCli([...path, '--help']);
  expect(r.code, path.join(' ')).toBe(0);
  const { options, commands } = helpEntries(r.stdout);
  const below = await Promise.all(commands.filter((c) => c !== 'help').map((c) => helpTree([...path, c])));
  const help = commands.includes('help') ? [{ path: [...path, 'help'], options: [], commands: [] }] : [];
  return [{ path, options, commands }, ...help, ...below.flat()];
}

const script = async (shell: string) => {
  const r = await runCli(['completion', shell]);
  expect(r.code).toBe(0);
  return r.stdout;
};

/** What bash offers after `heal-pyroscope WORDS... CUR<TAB>`, with the generated script loaded. */
async function bashComplete(words: string[], cur = ''): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hp-completion-'));
  const file = join(dir, 'heal-pyroscope.bash');
  writeFileSync(file, await script('bash'));
  const line = ['heal-pyroscope', ...words, cur];
  const r = await execa(
    'bash',
    [
      '-c',
      `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _heal_pyroscope; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'complete',
      file,
      ...line,
    ],
    { cwd: dir },
  );
  return r.stdout.split('\n').filter((w) => w !== '');
}

describe('shell completion (generated from the commander program)', () => {
  it('prints a bash script that bash parses, and a zsh script', async () => {
    const bash = await script('bash');
    await expect(execa('bash', ['-n'], { input: bash })).resolves.toMatchObject({ exitCode: 0 });
    expect(bash).toContain('complete -o default -F _heal_pyroscope heal-pyroscope');
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef heal-pyroscope\n')).toBe(true);
    expect(zsh).toContain('compdef _heal_pyroscope heal-pyroscope');
  });

  it('refuses a shell it does not know as a usage error', async () => {
    const r = await runCli(['completion', 'fish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument value 'fish' is invalid");
  });

  it('offers in bash every command and option that each --help lists', async () => {
    const tree = await helpTree();
    expect(tree.map((e) => e.path.join(' '))).toEqual(
      expect.arrayContaining([
        '',
        'preflight',
        'install',
        'uninstall',
        'status',
        'logs',
        'init',
        'images',
        'images save',
        'version',
        'completion',
      ]),
    );
    for (const entry of tree.filter((e) => e.path.at(-1) !== 'help')) {
      const where = entry.path.join(' ') || '(top level)';
      expect(await bashComplete(entry.path, '-'), where).toEqual(expect.arrayContaining(entry.options));
      expect(await bashComplete(entry.path), where).toEqual(expect.arrayContaining(entry.commands));
      expect(entry.options, entry.path.join(' ')).toEqual(expect.arrayContaining(['--json', '--verbose', '--help']));
    }
  });

  it('names in zsh every command and option that each --help lists', async () => {
    const zsh = await script('zsh');
    for (const entry of (await helpTree()).filter((e) => e.path.at(-1) !== 'help')) {
      const fn = `_heal_pyroscope${entry.path.map((w) => `_${w}`).join('')}`;
      const body = new RegExp(`^${fn}\\(\\) \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(zsh)?.[1];
      expect(body, fn).toBeDefined();
      for (const option of entry.options)
        expect(body, `${fn} ${option}`).toMatch(new RegExp(`[{,'(*]${option}[,}'\\[]`));
      for (const command of entry.commands) expect(body, `${fn} ${command}`).toContain(`'${command}:`);
    }
  });

  it('completes option values: choices, files, and a command path past option values', async () => {
    expect(await bashComplete(['install', '--front-door'])).toEqual(['container', 'external']);
    expect(await bashComplete(['completion'])).toEqual(['bash', 'zsh']);
    expect(await bashComplete(['--json', 'images'])).toEqual(expect.arrayContaining(['save']));
    // `--config images` is a file named images, not the images command.
    expect(await bashComplete(['status', '--config', 'images'], '--front')).toEqual(['--front-door']);
    expect(await bashComplete([], 'ins')).toEqual(['install']);
    expect(await bashComplete(['images', 'save'], '-')).toContain('--docker-socket');
    expect(await bashComplete(['help'])).toEqual(expect.arrayContaining(['preflight', 'install', 'images']));
  });

  it('completes the component names of logs, again after one is given, and its options', async () => {
    expect(await bashComplete(['logs'], 'p')).toEqual(['pyroscope']);
    expect(await bashComplete(['logs', 'minio', '--tail', '5'])).toEqual([
      'minio',
      'pyroscope',
      'tempo',
      'grafana',
      'haproxy',
    ]);
    expect(await bashComplete(['logs'], '--f')).toEqual(['--follow']);
    expect(await script('zsh')).toContain(`'*:component:(minio pyroscope tempo grafana haproxy)'`);
  });
});
