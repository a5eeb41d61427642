import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_NAMES, agentGuides, TARGET_CA_FILE } from '../../../src/agents/agents.js';
import { generateSecrets, saveState, statePath } from '../../../src/state/state-file.js';
import { frontDoorTlsFor, issueCa } from '../../../src/tls/certificates.js';
import { agentsPage, PAGE_APP, PAGE_DOOR } from '../../../src/agents/page.js';
import { doorUrl } from '../../../src/commands/agents.js';
import { contractDocument } from '../../support/json-contract.js';
import { runCli } from '../../support/run-cli.js';

const DOOR = 'https://10.213.0.11:9940';
const PLAIN = 'http://10.213.0.11:9940';

describe('agent settings', () => {
  it('fill every snippet with the door and the application name, and name where each option was read', () => {
    const guides = agentGuides({ url: DOOR, app: 'checkout', caFile: TARGET_CA_FILE });
    expect(guides.map((g) => g.name).sort()).toEqual([...new Set(guides.map((g) => g.name))].sort());
    for (const g of guides) {
      expect(AGENT_NAMES).toContain(g.name);
      expect(g.snippet, g.name).toContain('checkout');
      expect(g.snippet.includes(DOOR) || g.snippet.includes('10.213.0.11:9940'), g.name).toBe(true);
      expect(g.snippet, g.name).not.toMatch(/WEB|my-app/);
      expect(g.sources.length, g.name).toBeGreaterThan(0);
    }
  });

  it('puts the web host into the door URL, an IPv6 literal in brackets, https unless TLS is off', () => {
    expect(doorUrl('10.213.0.11', true)).toBe(DOOR);
    expect(doorUrl('10.213.0.11', false)).toBe(PLAIN);
    expect(doorUrl('web-01.example', true)).toBe('https://web-01.example:9940');
    expect(doorUrl('fd00::11', false)).toBe('http://[fd00::11]:9940');
  });

  it('tells every agent how to trust the CA with a TLS door, and none with a plain one', () => {
    const tls = agentGuides({ url: DOOR, app: 'a', caFile: TARGET_CA_FILE });
    for (const g of tls) {
      expect(g.snippet.includes(TARGET_CA_FILE) || g.snippet.includes('system trust store'), g.name).toBe(true);
      expect(g.snippet, g.name).not.toMatch(/insecure|http:\/\//);
    }
    expect(tls.find((g) => g.name === 'otel')!.snippet).toContain(`OTEL_EXPORTER_OTLP_CERTIFICATE=${TARGET_CA_FILE}`);
    expect(tls.find((g) => g.name === 'nodejs')!.snippet).toContain(`NODE_EXTRA_CA_CERTS=${TARGET_CA_FILE}`);
    expect(tls.find((g) => g.name === 'alloy')!.snippet).toContain(`ca_file = "${TARGET_CA_FILE}"`);
    for (const g of agentGuides({ url: PLAIN, app: 'a', caFile: null })) {
      expect(g.snippet, g.name).not.toMatch(/ca_file|CERTIFICATE|CA_CERTS|trust/);
    }
  });

  it('docs/agents.md is the page made from the same snippets (npm run docs:agents)', () => {
    const page = readFileSync(new URL('../../../docs/agents.md', import.meta.url), 'utf8');
    expect(page).toBe(agentsPage());
    expect(page).toContain(PAGE_DOOR);
    expect(page).toContain(PAGE_APP);
  });
});

describe('agents --json', () => {
  function configDir(extra = ''): string {
    const dir = mkdtempSync(join(tmpdir(), 'hp-agents-'));
    writeFileSync(
      join(dir, 'heal-pyroscope.yaml'),
      'environment: lab\nssh:\n  user: root\n  agent: true\nhosts:\n  targets: [10.213.0.250]\n  web: 10.213.0.11\n  app: 10.213.0.12\n  db: 10.213.0.13\n' +
        extra,
    );
    return dir;
  }

  /** A config beside a state file that holds the door's CA, as install leaves it. */
  async function installedDir(): Promise<{ dir: string; ca: string }> {
    const dir = configDir();
    const { tls } = frontDoorTlsFor(undefined, 'lab', ['10.213.0.11'], new Date());
    await saveState(statePath('lab', undefined, dir), {
      version: 1,
      environment: 'lab',
      secrets: { ...generateSecrets(), frontDoorTls: tls },
    });
    return { dir, ca: tls.caCertificate };
  }

  it('is the door with its CA, no tenants yet, and every snippet; or only the one asked for', async () => {
    const { dir, ca } = await installedDir();
    const all = await runCli(['agents', '--json', '--service', 'checkout'], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    const doc = contractDocument(all.stdout) as unknown as { frontDoor: object; tenants: unknown[]; agents: object };
    expect(doc.frontDoor).toEqual({ url: DOOR, caCertificate: ca });
    expect(doc.tenants).toEqual([]);
    expect(Object.keys(doc.agents)).toEqual(AGENT_NAMES.filter((n) => n in doc.agents));
    expect(Object.keys(doc.agents).length).toBe(agentGuides({ url: DOOR, app: 'x', caFile: null }).length);
    const one = await runCli(['agents', 'otel', '--json'], { cwd: dir });
    const otel = contractDocument(one.stdout) as unknown as { agents: Record<string, string> };
    expect(Object.keys(otel.agents)).toEqual(['otel']);
    expect(otel.agents['otel']).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${DOOR}`);
    // The CA is public: printed at a terminal too, never a key.
    const text = await runCli(['agents'], { cwd: dir });
    expect(text.stdout).toContain(ca.trim().split('\n')[1]);
    expect(text.stdout).not.toMatch(/PRIVATE KEY/);
  });

  it("prints the operator's CA with frontDoor.tls: files, without any state", async () => {
    const own = issueCa('ops', new Date());
    const dir = configDir('frontDoor:\n  tls: files\n  certificate: door.crt\n  key: door.key\n  ca: ca.crt\n');
    writeFileSync(join(dir, 'ca.crt'), `# our root\n${own.caCertificate}`);
    const r = await runCli(['agents', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect((contractDocument(r.stdout) as unknown as { frontDoor: object }).frontDoor).toEqual({
      url: DOOR,
      caCertificate: own.caCertificate,
    });
  });

  it('prints http:// and no CA for a plain door, without any state', async () => {
    const r = await runCli(['agents', '--json'], { cwd: configDir('frontDoor:\n  tls: "off"\n') });
    expect(r.code, r.stderr).toBe(0);
    const doc = contractDocument(r.stdout) as unknown as { frontDoor: object };
    expect(doc.frontDoor).toEqual({ url: PLAIN, caCertificate: null });
  });

  it('refuses, naming install, when the state predates TLS on the door', async () => {
    const dir = configDir();
    await saveState(statePath('lab', undefined, dir), { version: 1, environment: 'lab', secrets: generateSecrets() });
    const r = await runCli(['agents'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/its CA is not known/);
    expect(r.stderr).toMatch(/heal-pyroscope install/);
  });

  it('refuses an application name a snippet could not carry as written', async () => {
    const r = await runCli(['agents', '--service', "x'; rm -rf /"], { cwd: configDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--service/);
  });
});
