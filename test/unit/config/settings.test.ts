import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flagTable } from '../../../src/console/topology-options.js';
import { parseConfig } from '../../../src/config/load.js';
import { configFile } from '../../../src/config/schema.js';
import { readText } from '../../../src/config/setting.js';
import { REQUIRED, setting, SETTINGS, settingEntries } from '../../../src/config/settings.js';
import { configExample, guardTable, renderConfigFile } from '../../../src/config/write.js';
import { COMPONENTS } from '../../../src/stack/manifest.js';

/** Key paths of the schema's values, walking its nested objects (a host entry, a list: one value). */
function schemaKeys(node: unknown, prefix = ''): string[] {
  let current = node as { unwrap?: () => unknown; shape?: Record<string, unknown> };
  while (typeof current.unwrap === 'function' && !current.shape) current = current.unwrap() as typeof current;
  if (!current.shape) return [prefix];
  return Object.entries(current.shape).flatMap(([key, child]) => schemaKeys(child, prefix ? `${prefix}.${key}` : key));
}

const tableKeys = () =>
  settingEntries().flatMap(([, s]) =>
    s.key.endsWith('.COMPONENT') ? COMPONENTS.map((c) => s.key.replace(/COMPONENT$/, c.name)) : [s.key],
  );

describe('the settings table', () => {
  it('names exactly the keys the config schema accepts', () => {
    expect(tableKeys().sort()).toEqual(schemaKeys(configFile).sort());
  });

  it('has defaults that pass their own validation', () => {
    for (const [name, s] of settingEntries()) {
      if (s.default === undefined) continue;
      const values = Array.isArray(s.default)
        ? s.default
        : typeof s.default === 'object'
          ? Object.values(s.default as object)
          : [s.default];
      for (const v of values) expect(s.value.problem(v), name).toBeNull();
    }
  });

  it('has examples that the schema accepts, every key of them', () => {
    const parsed = parseConfig(configExample());
    expect(parsed.problems).toEqual([]);
    expect(Object.keys(parsed.config ?? {}).sort()).toEqual(
      [...new Set(tableKeys().map((k) => k.split('.')[0]))].sort(),
    );
  });

  it('asks for every required setting, suggesting only what other settings say', () => {
    const names = Object.keys(SETTINGS);
    for (const r of REQUIRED) for (const name of r.settings) expect(setting(name).prompt, name).toBeDefined();
    for (const [name, s] of settingEntries()) {
      if (s.prompt?.sameAs !== undefined) expect(names, name).toContain(s.prompt.sameAs);
      if (s.required?.or !== undefined) expect(names, name).toContain(s.required.or);
    }
  });

  it('names each missing value by its flag and its config key', () => {
    expect(REQUIRED.map((r) => `${r.key}: ${r.flag} | ${r.configKey}`)).toEqual([
      'environment: --environment NAME | environment',
      'targets: --target HOST | hosts.targets',
      'web: --web HOST | hosts.web',
      'app: --app HOST | hosts.app',
      'db: --db HOST | hosts.db',
      'sshUser: --ssh-user USER | ssh.user',
      'sshAuth: --identity-file PATH or --ssh-agent | ssh.identityFile or ssh.agent',
    ]);
  });

  it('reads a list from commas or white space, and refuses it at its first bad item', () => {
    expect(readText(SETTINGS.targets, 'a, b  c')).toEqual({ value: ['a', 'b', 'c'] });
    expect(readText(SETTINGS.targets, 'a, bad_host!, c')).toEqual({
      problem: '"bad_host!" is not a valid hostname or IP address',
    });
  });

  it('reads one value per component as COMPONENT=VALUE', () => {
    expect(readText(SETTINGS.images, 'tempo=grafana/tempo:2.8.2')).toEqual({ value: { tempo: 'grafana/tempo:2.8.2' } });
    expect(readText(SETTINGS.images, 'loki=grafana/loki:3.0.0')).toEqual({
      problem:
        '"loki=grafana/loki:3.0.0" is not COMPONENT=IMAGE (components: minio, pyroscope, tempo, grafana, haproxy)',
    });
  });

  it('init writes an image override given as a flag', () => {
    const parsed = parseConfig(renderConfigFile({ images: { tempo: 'grafana/tempo:2.8.2' } }));
    expect(parsed.config).toEqual({ images: { tempo: 'grafana/tempo:2.8.2' } });
  });
});

describe('docs/configuration.md', () => {
  const page = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

  it('lists every flag with its config key as the table generates it', () => {
    expect(page).toContain(flagTable());
  });

  it("lists the production guard's defaults as the table generates them", () => {
    expect(page).toContain(guardTable());
  });

  it('shows every key of the config file as the table generates it', () => {
    expect(page).toContain(`\`\`\`yaml\n${configExample()}\`\`\``);
  });
});
