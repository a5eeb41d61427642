import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { runCli } from '../../support/run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hp-init-'));
const hosts = ['--environment', 'staging', '--web', 'w1', '--app', 'w1', '--db', 'w1', '--ssh-user', 'deploy'];

describe('init writes a config that works from its own directory', () => {
  it('writes a relative --identity-file and --known-hosts relative to the config file', async () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'keys'));
    writeFileSync(join(cwd, 'keys', 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const r = await runCli(
      [
        'init',
        '--config',
        'sub/dir/x.yaml',
        '--identity-file',
        'keys/id',
        '--known-hosts',
        'kh',
        ...hosts,
        '--target',
        't1',
      ],
      { cwd },
    );
    // Its stderr with a failure: it once exited 2 in a CI run and passed on every rerun.
    expect(r.code, r.stderr).toBe(0);
    const configDir = join(cwd, 'sub', 'dir');
    const { config } = parseConfig(readFileSync(join(configDir, 'x.yaml'), 'utf8'));
    expect(resolve(configDir, config!.ssh!.identityFile!)).toBe(join(cwd, 'keys', 'id'));
    expect(resolve(configDir, config!.ssh!.knownHostsFile!)).toBe(join(cwd, 'kh'));
  });

  it('refuses a directory given as --identity-file (exit 2), naming it, writing nothing', async () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'keys'));
    const r = await runCli(['init', ...hosts, '--target', 't1', '--identity-file', 'keys'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`identity file ${join(cwd, 'keys')} is a directory, not a private key`);
    expect(() => readFileSync(join(cwd, 'heal-pyroscope.yaml'))).toThrow();
  });

  it('refuses the same --target twice (exit 2), writing nothing', async () => {
    const cwd = tmp();
    const r = await runCli(['init', ...hosts, '--target', 't1,svc-02', '--target', 't1'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--target: t1 is given twice (one machine is one target)');
    expect(() => readFileSync(join(cwd, 'heal-pyroscope.yaml'))).toThrow();
  });

  it('accepts web, app and db on one machine that is also a target', async () => {
    const r = await runCli(['init', ...hosts, '--target', 'w1', '--ssh-agent'], { cwd: tmp() });
    expect(r.code).toBe(0);
  });

  it('keeps the state directory out of git: writes a .gitignore, or adds to one, once', async () => {
    const cwd = tmp();
    const init = (dir: string) =>
      runCli(['init', '--config', join(dir, 'heal-pyroscope.yaml'), '--force', ...hosts, '--target', 't1'], { cwd });
    const r = await init(cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toMatch(/^\/\.heal-pyroscope\/$/m);
    expect(r.stdout).toContain('stay out of git');
    // Run again: the line is not added twice.
    expect((await init(cwd)).code).toBe(0);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8').match(/heal-pyroscope\/$/gm)).toHaveLength(1);
    // An operator's own .gitignore (no final newline) gains the line and keeps the rest.
    const other = tmp();
    writeFileSync(join(other, '.gitignore'), 'node_modules');
    expect((await init(other)).code).toBe(0);
    expect(readFileSync(join(other, '.gitignore'), 'utf8')).toBe('node_modules\n/.heal-pyroscope/\n');
  });

  it('refuses the same --target twice in the other commands, before contacting any host', async () => {
    const r = await runCli(['preflight', ...hosts, '--ssh-agent', '--target', 't1', '--target', 'T1'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--target: T1 is given twice');
  });

  it('reports a target given twice in the config file with key path and line', async () => {
    const cwd = tmp();
    writeFileSync(
      join(cwd, 'heal-pyroscope.yaml'),
      'environment: staging\nhosts:\n  targets: [t1, t1]\n  web: w1\n  app: w1\n  db: w1\n',
    );
    const r = await runCli(['preflight', '--ssh-user', 'deploy', '--ssh-agent'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hosts.targets[1]: t1 is already hosts.targets[0] (one machine is one target) (line 3)');
  });

  it('reports an identity file in the config file that is a directory, relative to the file', async () => {
    const cwd = tmp();
    mkdirSync(join(cwd, 'conf', 'keys'), { recursive: true });
    writeFileSync(join(cwd, 'conf', 'c.yaml'), 'environment: staging\nssh:\n  identityFile: keys\n');
    const r = await runCli(['preflight', '--config', 'conf/c.yaml'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `ssh.identityFile: identity file ${join(cwd, 'conf', 'keys')} is a directory, not a private key (line 3)`,
    );
  });
});
