import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_NAMES, agentGuides } from '../../../src/agents/agents.js';
import { agentsPage, PAGE_APP, PAGE_DOOR } from '../../../src/agents/page.js';
import { doorUrl } from '../../../src/commands/agents.js';
import { contractDocument } from '../../support/json-contract.js';
import { runCli } from '../../support/run-cli.js';

const DOOR = 'http://10.213.0.11:9940';

describe('agent settings', () => {
  it('fill every snippet with the door and the application name, and name where each option was read', () => {
    const guides = agentGuides({ url: DOOR, app: 'checkout' });
    expect(guides.map((g) => g.name).sort()).toEqual([...new Set(guides.map((g) => g.name))].sort());
    for (const g of guides) {
      expect(AGENT_NAMES).toContain(g.name);
      expect(g.snippet, g.name).toContain('checkout');
      expect(g.snippet.includes(DOOR) || g.snippet.includes('10.213.0.11:9940'), g.name).toBe(true);
      expect(g.snippet, g.name).not.toMatch(/WEB|my-app/);
      expect(g.sources.length, g.name).toBeGreaterThan(0);
    }
  });

  it('puts the web host into the door URL, an IPv6 literal in brackets', () => {
    expect(doorUrl('10.213.0.11')).toBe(DOOR);
    expect(doorUrl('web-01.example')).toBe('http://web-01.example:9940');
    expect(doorUrl('fd00::11')).toBe('http://[fd00::11]:9940');
  });

  it('docs/agents.md is the page made from the same snippets (npm run docs:agents)', () => {
    const page = readFileSync(new URL('../../../docs/agents.md', import.meta.url), 'utf8');
    expect(page).toBe(agentsPage());
    expect(page).toContain(PAGE_DOOR);
    expect(page).toContain(PAGE_APP);
  });
});

describe('agents --json', () => {
  function configDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hp-agents-'));
    writeFileSync(
      join(dir, 'heal-pyroscope.yaml'),
      'environment: lab\nssh:\n  user: root\n  agent: true\nhosts:\n  targets: [10.213.0.250]\n  web: 10.213.0.11\n  app: 10.213.0.12\n  db: 10.213.0.13\n',
    );
    return dir;
  }

  it('is the door, no tenants yet, and every snippet; or only the one asked for', async () => {
    const dir = configDir();
    const all = await runCli(['agents', '--json', '--service', 'checkout'], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    const doc = contractDocument(all.stdout) as unknown as { frontDoor: object; tenants: unknown[]; agents: object };
    expect(doc.frontDoor).toEqual({ url: DOOR, caCertificate: null });
    expect(doc.tenants).toEqual([]);
    expect(Object.keys(doc.agents)).toEqual(AGENT_NAMES.filter((n) => n in doc.agents));
    expect(Object.keys(doc.agents).length).toBe(agentGuides({ url: DOOR, app: 'x' }).length);
    const one = await runCli(['agents', 'otel', '--json'], { cwd: dir });
    const otel = contractDocument(one.stdout) as unknown as { agents: Record<string, string> };
    expect(Object.keys(otel.agents)).toEqual(['otel']);
    expect(otel.agents['otel']).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${DOOR}`);
  });

  it('refuses an application name a snippet could not carry as written', async () => {
    const r = await runCli(['agents', '--service', "x'; rm -rf /"], { cwd: configDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--service/);
  });
});
