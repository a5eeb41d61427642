import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../../src/stack/manifest.js';
import { runCli } from '../../support/run-cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('heal-pyroscope version', () => {
  it('prints the CLI version and every pinned image', async () => {
    const r = await runCli(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`heal-pyroscope ${pkg.version} (Node ${process.version})`);
    for (const c of COMPONENTS)
      expect(r.stdout).toMatch(
        new RegExp(`^  ${c.name} +${c.registry ? `${c.registry}/` : ''}${c.repository}:${c.tag}$`, 'm'),
      );
  });

  it('prints one JSON document with --json, the pins keyed by component', async () => {
    const r = await runCli(['version', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { images: Record<string, string> };
    expect(doc).toMatchObject({
      schemaVersion: 1,
      command: 'version',
      ok: true,
      version: pkg.version,
      node: process.version,
    });
    expect(doc.images).toEqual(
      Object.fromEntries(
        COMPONENTS.map((c) => [c.name, `${c.registry ? `${c.registry}/` : ''}${c.repository}:${c.tag}`]),
      ),
    );
    expect(r.stderr).toBe('');
  });

  it('agrees with --version', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toBe(pkg.version);
  });

  it('answers --version alone (before the program is built) as commander answers it after another option', async () => {
    const viaCommander = await runCli(['--verbose', '--version']);
    expect(viaCommander).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    for (const flag of ['--version', '-V']) expect(await runCli([flag]), flag).toEqual(viaCommander);
  });
});

describe('command help', () => {
  it('lists the global options (--json, --verbose) in every subcommand', async () => {
    for (const command of [
      ['preflight'],
      ['install'],
      ['uninstall'],
      ['status'],
      ['init'],
      ['images', 'save'],
      ['version'],
      ['completion'],
    ]) {
      const r = await runCli([...command, '--help']);
      const global = r.stdout.split('Global Options:')[1] ?? '';
      expect(global, command.join(' ')).toContain('--json');
      expect(global, command.join(' ')).toContain('--verbose');
    }
  });
});
