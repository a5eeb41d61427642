import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { runCli } from '../../support/run-cli.js';

const full = [
  '--environment',
  'staging',
  '--target',
  't1',
  '--web',
  'w1',
  '--app',
  'a1',
  '--db',
  'd1',
  '--ssh-user',
  'deploy',
  '--identity-file',
  '/k',
];
const tmp = () => mkdtempSync(join(tmpdir(), 'hp-cli-'));
/** `full` with a real private key: init judges the key file before writing it. */
const withKey = (dir: string) => {
  writeFileSync(join(dir, 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  return [...full.slice(0, -1), join(dir, 'id')];
};

describe('heal-pyroscope CLI', () => {
  it('lists every command in --help with exit codes and examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['preflight', 'install', 'uninstall', 'status', 'init'])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toContain('$ heal-pyroscope install --config staging.yaml');
  });

  it('documents every topology flag with its config key in command help', async () => {
    const r = await runCli(['install', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--target', '--web', '--app', '--db', '--ssh-user', '--identity-file', '--config', '--yes'])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('config: hosts.web');
  });

  it('exits 2 naming the flag and key of each missing value without a TTY', async () => {
    const r = await runCli(['preflight', '--web', 'w1'], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: missing 6 required settings');
    expect(r.stderr).toContain('pass --app HOST, or set hosts.app in the config file');
    expect(r.stderr).not.toContain('hosts.web');
  });

  it('never prompts with --yes even on a terminal', async () => {
    const r = await runCli(['preflight', '--yes'], { cwd: tmp(), tty: true, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing 7 required settings');
  });

  it('rejects an invalid host flag as a usage error', async () => {
    const r = await runCli(['install', '--web', 'not a host']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"not a host" is not a valid hostname or IP address');
  });

  it('rejects an unknown command as a usage error', async () => {
    expect((await runCli(['instal'])).code).toBe(2);
  });

  it('reports a broken config file with key path and line, exit 2', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'heal-pyroscope.yaml'), 'environment: staging\nhosts:\n  app: "app 01"\n');
    const r = await runCli(['preflight'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hosts.app: "app 01" is not a valid hostname or IP address (line 3)');
  });

  it('lets flags fill what the config file leaves open', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'topo.yaml'),
      'environment: staging\nhosts:\n  web: w1\n  app: a1\n  db: d1\n  targets: [t1]\n',
    );
    // An unknown --ignore-check id is refused after the topology resolved and before any host is contacted.
    const r = await runCli(
      ['install', '--config', 'topo.yaml', '--ssh-user', 'deploy', '--ssh-agent', '--ignore-check', 'no.such'],
      { cwd: dir },
    );
    expect(r.stderr).not.toContain('missing');
    expect(r.stderr).toContain('unknown check id "no.such" for --ignore-check');
    expect(r.code).toBe(2);
  });

  it('prints one JSON document on stdout with --json', async () => {
    const r = await runCli(['--json', 'install', ...full, '--ignore-check', 'no.such']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string } };
    expect(doc).toMatchObject({ ok: false, error: { code: 'usage.ignore-check' } });
    expect(r.stderr).toContain('error:');
  });

  it('uses no colour codes when NO_COLOR is set, even on a terminal', async () => {
    const r = await runCli(['preflight', '--yes'], { cwd: tmp(), tty: true, env: { NO_COLOR: '1' } });
    expect(r.stderr).not.toContain('\u001b[');
  });

  it('colours errors on a terminal', async () => {
    const r = await runCli(['preflight', '--yes'], { cwd: tmp(), tty: true, env: { FORCE_COLOR: '1' } });
    expect(r.stderr).toContain('\u001b[31merror:');
  });

  it('init writes a valid commented config from flags', async () => {
    const dir = tmp();
    const r = await runCli(['init', ...withKey(dir)], { cwd: dir });
    expect(r.code).toBe(0);
    const path = join(dir, 'heal-pyroscope.yaml');
    const parsed = parseConfig(readFileSync(path, 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.config?.hosts).toEqual({ targets: ['t1'], web: 'w1', app: 'a1', db: 'd1' });
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('init without a TTY writes what it has and names what is still to fill in', async () => {
    const r = await runCli(['init', '--web', 'w1'], { cwd: tmp() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Still to fill in before install: environment, hosts.targets, hosts.app');
  });

  it('init refuses to overwrite without --force', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'heal-pyroscope.yaml'), 'environment: keep\n');
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already exists');
    expect(readFileSync(join(dir, 'heal-pyroscope.yaml'), 'utf8')).toBe('environment: keep\n');
    expect((await runCli(['init', '--force', ...withKey(dir)], { cwd: dir })).code).toBe(0);
  });
});
