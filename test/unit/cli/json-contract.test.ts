// The JSON contract on real outputs that need no host: each command run in-process with --json, its
// stdout validated against schema/heal-pyroscope.schema.json. The lab half is
// test/integration/json-contract.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { contractDocument, schema } from '../../support/json-contract.js';
import { runCli } from '../../support/run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hp-json-'));

/** A config for four hosts in the lab's range (none is contacted: every case stops before connecting). */
function configDir(environment: string): string {
  const dir = tmp();
  writeFileSync(join(dir, 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  writeFileSync(
    join(dir, 'heal-pyroscope.yaml'),
    [
      `environment: ${environment}`,
      'ssh:',
      '  user: root',
      '  identityFile: id',
      'hosts:',
      '  targets: [10.213.0.250]',
      '  web: 10.213.0.251',
      '  app: 10.213.0.252',
      '  db: 10.213.0.253',
      '',
    ].join('\n'),
  );
  return dir;
}

describe('the envelope of every --json document', () => {
  it('is schemaVersion, command and ok, first', async () => {
    const r = await runCli(['version', '--json']);
    expect(Object.keys(JSON.parse(r.stdout) as object).slice(0, 3)).toEqual(['schemaVersion', 'command', 'ok']);
  });

  it('describes version', async () => {
    const r = await runCli(['--json', 'version']);
    expect(r.code).toBe(0);
    expect(contractDocument(r.stdout)).toMatchObject({ schemaVersion: 1, command: 'version', ok: true });
  });

  it('describes init', async () => {
    const dir = tmp();
    const r = await runCli(['init', '--json', '--environment', 'staging', '--web', 'w1'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(contractDocument(r.stdout)).toMatchObject({
      command: 'init',
      ok: true,
      path: join(dir, 'heal-pyroscope.yaml'),
      missing: expect.arrayContaining(['hosts.app']),
    });
  });
});

describe('usage errors with --json', () => {
  const cases: Array<{ name: string; args: string[]; command: string | null; code: string }> = [
    {
      name: 'an unknown flag',
      args: ['preflight', '--bogus', '--json'],
      command: 'preflight',
      code: 'usage.unknown-option',
    },
    {
      name: 'a bad value',
      args: ['--json', 'install', '--ssh-port', 'abc'],
      command: 'install',
      code: 'usage.invalid-argument',
    },
    {
      name: 'a value outside the choices',
      args: ['status', '--front-door', 'moat', '--json'],
      command: 'status',
      code: 'usage.invalid-argument',
    },
    {
      name: 'a missing argument',
      args: ['images', 'save', '--json'],
      command: 'images save',
      code: 'usage.missing-argument',
    },
    {
      name: 'a flag without its value',
      args: ['uninstall', '--json', '--config'],
      command: 'uninstall',
      code: 'usage.option-missing-argument',
    },
    { name: 'an unknown command', args: ['--json', 'instal'], command: null, code: 'usage.unknown-command' },
    { name: 'no command', args: ['--json'], command: null, code: 'usage.missing-command' },
  ];
  for (const c of cases) {
    it(`prints an error document for ${c.name}, exit 2, the text on stderr`, async () => {
      const r = await runCli(c.args);
      expect(r.code).toBe(2);
      const doc = contractDocument(r.stdout);
      expect(doc).toMatchObject({ command: c.command, ok: false, error: { code: c.code } });
      expect(doc.error!.message).not.toMatch(/^error:/);
      expect(r.stderr).toContain(c.name === 'no command' ? 'Usage: heal-pyroscope' : `error: ${doc.error!.message}`);
    });
  }

  it('leaves stdout empty without --json', async () => {
    const r = await runCli(['preflight', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("error: unknown option '--bogus'");
  });
});

describe('errors before any host is contacted, with --json', () => {
  it('a missing setting: an error document naming the command', async () => {
    for (const command of ['preflight', 'install', 'uninstall', 'status']) {
      const r = await runCli([command, '--json'], { cwd: tmp() });
      expect(r.code, command).toBe(2);
      expect(contractDocument(r.stdout), command).toMatchObject({
        command,
        ok: false,
        error: { code: 'config.missing' },
      });
    }
  });

  it('preflight refusing a production environment: its report, with the guard finding and the error', async () => {
    const r = await runCli(['preflight', '--json'], { cwd: configDir('production') });
    expect(r.code).toBe(3);
    expect(contractDocument(r.stdout)).toMatchObject({
      command: 'preflight',
      ok: false,
      guard: { ok: false, findings: [{ host: 'config', rule: 'environment' }] },
      results: [],
      error: { code: 'guard.production' },
    });
  });

  it('install refusing a production environment: an error document', async () => {
    const r = await runCli(['install', '--json'], { cwd: configDir('production') });
    expect(r.code).toBe(3);
    expect(contractDocument(r.stdout)).toMatchObject({
      command: 'install',
      ok: false,
      error: { code: 'guard.production' },
    });
  });

  it('images save to a directory that does not exist: an error document', async () => {
    const r = await runCli(['images', 'save', '--json', join(tmp(), 'missing', 'images.tar')], { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(contractDocument(r.stdout)).toMatchObject({
      command: 'images save',
      ok: false,
      error: { code: 'images.output' },
    });
  });

  it('backup over an existing file, restore of a file that is not a backup, restore refused by the guard: error documents', async () => {
    const dir = configDir('staging');
    writeFileSync(join(dir, 'exists.tar'), 'x');
    const backup = await runCli(['backup', '--json', 'exists.tar'], { cwd: dir });
    expect(backup.code).toBe(2);
    expect(contractDocument(backup.stdout)).toMatchObject({
      command: 'backup',
      ok: false,
      error: { code: 'backup.exists' },
    });
    const restore = await runCli(['restore', '--json', 'exists.tar'], { cwd: dir });
    expect(restore.code).toBe(2);
    expect(contractDocument(restore.stdout)).toMatchObject({
      command: 'restore',
      ok: false,
      error: { code: 'restore.archive', message: expect.stringContaining('is refused: not a tar file') },
    });
    const guarded = await runCli(['restore', '--json', 'exists.tar'], { cwd: configDir('production') });
    expect(guarded.code).toBe(3);
    expect(contractDocument(guarded.stdout)).toMatchObject({
      command: 'restore',
      ok: false,
      error: { code: 'guard.production' },
    });
  });
});

describe('the schema', () => {
  it('has a shape for every command that prints a result', () => {
    const defs = (schema as { $defs: Record<string, unknown> }).$defs;
    for (const name of [
      'version',
      'preflight',
      'install',
      'uninstall',
      'status',
      'init',
      'imagesSave',
      'backup',
      'restore',
    ])
      expect(defs, name).toHaveProperty(name);
  });

  it('refuses a document without its envelope', () => {
    expect(() => contractDocument(JSON.stringify({ ok: true, version: '0.1.0' }))).toThrow(/schemaVersion/);
  });
});
