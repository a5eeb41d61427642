import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AGENT_NAMES,
  agentGuides,
  TARGET_CA_FILE,
  TARGET_PASSWORD_FILE,
  type AgentName,
} from '../../../src/agents/agents.js';
import { generateSecrets, saveState, statePath } from '../../../src/state/state-file.js';
import { frontDoorTlsFor, issueCa } from '../../../src/tls/certificates.js';
import { agentsPage, PAGE_APP, PAGE_CREDENTIALS, PAGE_DOOR } from '../../../src/agents/page.js';
import { doorUrl, MASKED_PASSWORD } from '../../../src/commands/agents.js';
import { contractDocument } from '../../support/json-contract.js';
import { runCli } from '../../support/run-cli.js';

const DOOR = 'https://10.213.0.11:9940';
const PLAIN = 'http://10.213.0.11:9940';

describe('agent settings', () => {
  it('fill every snippet with the door and the application name, and name where each option was read', () => {
    const guides = agentGuides({ url: DOOR, app: 'checkout', caFile: TARGET_CA_FILE, credentials: null });
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
    const tls = agentGuides({ url: DOOR, app: 'a', caFile: TARGET_CA_FILE, credentials: null });
    for (const g of tls) {
      expect(g.snippet.includes(TARGET_CA_FILE) || g.snippet.includes('system trust store'), g.name).toBe(true);
      expect(g.snippet, g.name).not.toMatch(/insecure|http:\/\//);
    }
    expect(tls.find((g) => g.name === 'otel')!.snippet).toContain(`OTEL_EXPORTER_OTLP_CERTIFICATE=${TARGET_CA_FILE}`);
    expect(tls.find((g) => g.name === 'nodejs')!.snippet).toContain(`NODE_EXTRA_CA_CERTS=${TARGET_CA_FILE}`);
    expect(tls.find((g) => g.name === 'alloy')!.snippet).toContain(`ca_file = "${TARGET_CA_FILE}"`);
    for (const g of agentGuides({ url: PLAIN, app: 'a', caFile: null, credentials: null })) {
      expect(g.snippet, g.name).not.toMatch(/ca_file|CERTIFICATE|CA_CERTS|trust/);
    }
  });

  describe('with the tenant credentials', () => {
    const credentials = { username: 'team-a', password: 'Zq3-x_Pw9' };
    const snippetOf = (guides: ReturnType<typeof agentGuides>, name: AgentName): string =>
      guides.find((g) => g.name === name)!.snippet;

    /** Each agent's own options, as its source names them (the sources lists say where). */
    const EXPECTED: Record<AgentName, string[]> = {
      alloy: [
        // pyroscope.write's endpoint, then otelcol.auth.basic, both from the file the first lines write
        `    basic_auth {\n      username      = "team-a"\n      password_file = "${TARGET_PASSWORD_FILE}"\n    }`,
        `otelcol.auth.basic "door" {\n  client_auth {\n    username      = "team-a"\n    password_file = "${TARGET_PASSWORD_FILE}"\n  }\n}`,
        '    auth     = otelcol.auth.basic.door.handler',
        `printf '%s' Zq3-x_Pw9 > ${TARGET_PASSWORD_FILE}`,
      ],
      java: ['export PYROSCOPE_BASIC_AUTH_USER=team-a', 'export PYROSCOPE_BASIC_AUTH_PASSWORD=Zq3-x_Pw9'],
      go: ['\tBasicAuthUser:     "team-a",', '\tBasicAuthPassword: "Zq3-x_Pw9",'],
      python: ['    basic_auth_username="team-a",', '    basic_auth_password="Zq3-x_Pw9",'],
      dotnet: ['export PYROSCOPE_BASIC_AUTH_USER=team-a', 'export PYROSCOPE_BASIC_AUTH_PASSWORD=Zq3-x_Pw9'],
      ruby: ['  config.basic_auth_username = "team-a"', '  config.basic_auth_password = "Zq3-x_Pw9"'],
      nodejs: ["  basicAuthUser: 'team-a',", "  basicAuthPassword: 'Zq3-x_Pw9',"],
      otel: [`export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Basic%20$(printf '%s' team-a:Zq3-x_Pw9 | base64 -w0)"`],
    };

    it("puts the user name and the password into each agent's own options", () => {
      const guides = agentGuides({ url: DOOR, app: 'checkout', caFile: TARGET_CA_FILE, credentials });
      expect(guides.map((g) => g.name).sort()).toEqual([...AGENT_NAMES].sort());
      for (const g of guides) {
        for (const line of EXPECTED[g.name]) expect(g.snippet, g.name).toContain(line);
        expect(g.snippet, g.name).toContain('team-a');
        expect(g.snippet, g.name).toContain('Zq3-x_Pw9');
      }
      // The door's settings stay as they were, the credentials beside them.
      expect(snippetOf(guides, 'go')).toContain(
        '\tApplicationName:   "checkout",\n\tServerAddress:     "https://10.213.0.11:9940",',
      );
      expect(snippetOf(guides, 'ruby')).toContain('  config.application_name    = "checkout"');
      expect(snippetOf(guides, 'alloy')).toContain(`tls { ca_file = "${TARGET_CA_FILE}" }`);
      expect(snippetOf(guides, 'otel')).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${DOOR}`);
    });

    it('shows a masked password as given, and derives nothing from it', () => {
      const masked = { username: 'team-a', password: '********' };
      const encoded = Buffer.from('team-a:********').toString('base64');
      for (const g of agentGuides({ url: DOOR, app: 'a', caFile: TARGET_CA_FILE, credentials: masked })) {
        expect(g.snippet, g.name).toContain('********');
        expect(g.snippet, g.name).not.toContain(encoded);
      }
      // Quoted where a shell would expand it.
      const java = snippetOf(agentGuides({ url: DOOR, app: 'a', caFile: TARGET_CA_FILE, credentials: masked }), 'java');
      expect(java).toContain("export PYROSCOPE_BASIC_AUTH_PASSWORD='********'");
    });

    it('quotes a password for the language it lands in, so it reads back as it was', () => {
      const password = `a'b"c\\d#{e}$f g`;
      const guides = agentGuides({
        url: DOOR,
        app: 'a',
        caFile: TARGET_CA_FILE,
        credentials: { username: 'team-a', password },
      });
      const literal = (name: AgentName, pattern: RegExp): string => pattern.exec(snippetOf(guides, name))![1]!;
      expect(JSON.parse(literal('go', /BasicAuthPassword: (".*"),$/m))).toBe(password);
      expect(JSON.parse(literal('python', /basic_auth_password=(".*"),$/m))).toBe(password);
      expect(new Function(`return ${literal('nodejs', /basicAuthPassword: ('.*'),$/m)};`)()).toBe(password);
      // Ruby: a double-quoted string with `#` escaped, so no interpolation.
      expect(literal('ruby', /basic_auth_password = (".*")$/m)).toBe(String.raw`"a'b\"c\\d\#{e}$f g"`);
      expect(snippetOf(guides, 'java')).toContain(
        String.raw`export PYROSCOPE_BASIC_AUTH_PASSWORD='a'\''b"c\d#{e}$f g'`,
      );
    });

    it('sends the OTLP relay of Alloy its credentials as a header to a plain door (gRPC sends call credentials over TLS only)', () => {
      const alloy = snippetOf(agentGuides({ url: PLAIN, app: 'a', caFile: null, credentials }), 'alloy');
      expect(alloy).toContain('    headers  = { "authorization" = "Basic " + encoding.to_base64("team-a:Zq3-x_Pw9") }');
      expect(alloy).toContain('tls { insecure = true }');
      expect(alloy).not.toContain('otelcol.auth.basic "door"');
      expect(alloy).toContain(`password_file = "${TARGET_PASSWORD_FILE}"`);
    });

    it('none of the snippets carries credentials for a door without authentication', () => {
      for (const caFile of [TARGET_CA_FILE, null]) {
        for (const g of agentGuides({ url: caFile ? DOOR : PLAIN, app: 'a', caFile, credentials: null })) {
          expect(g.snippet, g.name).not.toMatch(/basic.?auth|password|authorization|HEADERS|otelcol\.auth/i);
        }
      }
    });
  });

  it('docs/agents.md is the page made from the same snippets (npm run docs:agents)', () => {
    const page = readFileSync(new URL('../../../docs/agents.md', import.meta.url), 'utf8');
    expect(page).toBe(agentsPage());
    expect(page).toContain(PAGE_DOOR);
    expect(page).toContain(PAGE_APP);
    // Placeholders for the credentials, and where the real ones come from.
    expect(page).toContain(`BasicAuthUser:     "${PAGE_CREDENTIALS.username}"`);
    expect(page).toContain(`BasicAuthPassword: "${PAGE_CREDENTIALS.password}"`);
    expect(page).toContain('heal-pyroscope agents --show-secrets');
  });
});

describe('OTLP over HTTP (frontDoor.otlpHttp)', () => {
  it('tells the OpenTelemetry SDKs the door takes it, and only then', () => {
    const door = { url: DOOR, app: 'checkout', caFile: null, credentials: null };
    const otel = (otlpHttp: boolean) => agentGuides({ ...door, otlpHttp }).find((g) => g.name === 'otel')!;
    expect(otel(true).snippet).toContain('# export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf');
    expect(otel(true).sends).toMatch(/OTLP over HTTP to \/v1\/traces/);
    expect(otel(false).snippet).not.toContain('http/protobuf');
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
      secrets: { ...generateSecrets(), frontDoorTls: tls, tenantPasswords: { default: PASSWORD } },
    });
    return { dir, ca: tls.caCertificate };
  }

  const PASSWORD = 'Zq3-x_Pw9'.repeat(4);

  it('is the door with its CA, the tenants, and every snippet; or only the one asked for', async () => {
    const { dir, ca } = await installedDir();
    const all = await runCli(['agents', '--json', '--service', 'checkout'], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    const doc = contractDocument(all.stdout) as unknown as { frontDoor: object; tenants: unknown[]; agents: object };
    expect(doc.frontDoor).toEqual({ url: DOOR, caCertificate: ca });
    // The password only when asked for: masked in every snippet otherwise.
    expect(doc.tenants).toEqual([{ name: 'default', username: 'default', password: null }]);
    expect(all.stdout).not.toContain(PASSWORD);
    expect(JSON.stringify(doc.agents)).toContain(MASKED_PASSWORD);
    const shown = await runCli(['agents', 'nodejs', '--json', '--show-secrets'], { cwd: dir });
    const nodejs = contractDocument(shown.stdout) as unknown as { tenants: unknown[]; agents: Record<string, string> };
    expect(nodejs.tenants).toEqual([{ name: 'default', username: 'default', password: PASSWORD }]);
    expect(nodejs.agents['nodejs']).toContain(PASSWORD);
    expect(Object.keys(doc.agents)).toEqual(AGENT_NAMES.filter((n) => n in doc.agents));
    expect(Object.keys(doc.agents).length).toBe(
      agentGuides({ url: DOOR, app: 'x', caFile: null, credentials: null }).length,
    );
    const one = await runCli(['agents', 'otel', '--json'], { cwd: dir });
    const otel = contractDocument(one.stdout) as unknown as { agents: Record<string, string> };
    expect(Object.keys(otel.agents)).toEqual(['otel']);
    expect(otel.agents['otel']).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${DOOR}`);
    // The CA is public: printed at a terminal too, never a key.
    const text = await runCli(['agents'], { cwd: dir });
    expect(text.stdout).toContain(ca.trim().split('\n')[1]);
    expect(text.stdout).toContain('basic auth as tenant default (password masked: add --show-secrets)');
    expect(text.stdout).not.toContain(PASSWORD);
    expect(text.stdout).not.toMatch(/PRIVATE KEY/);
  });

  it("prints the operator's CA with frontDoor.tls: files, without any state", async () => {
    const own = issueCa('ops', new Date());
    const dir = configDir(
      'frontDoor:\n  auth: none\n  tls: files\n  certificate: door.crt\n  key: door.key\n  ca: ca.crt\n',
    );
    writeFileSync(join(dir, 'ca.crt'), `# our root\n${own.caCertificate}`);
    const r = await runCli(['agents', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect((contractDocument(r.stdout) as unknown as { frontDoor: object }).frontDoor).toEqual({
      url: DOOR,
      caCertificate: own.caCertificate,
    });
  });

  it('prints http:// and no CA for a plain door, without any state', async () => {
    const r = await runCli(['agents', '--json'], { cwd: configDir('frontDoor:\n  auth: none\n  tls: "off"\n') });
    expect(r.code, r.stderr).toBe(0);
    const doc = contractDocument(r.stdout) as unknown as { frontDoor: object };
    expect(doc.frontDoor).toEqual({ url: PLAIN, caCertificate: null });
  });

  it('refuses a tenant the config does not name, and a tenant install has not yet made', async () => {
    const { dir } = await installedDir();
    const other = await runCli(['agents', '--tenant', 'team-x'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/--tenant team-x is not one of the config's tenants \(default\)/);
    writeFileSync(
      join(dir, 'heal-pyroscope.yaml'),
      `${readFileSync(join(dir, 'heal-pyroscope.yaml'), 'utf8')}tenants: [default, team-x]\n`,
    );
    // The first tenant's settings still print, and say which tenant has none yet.
    const first = await runCli(['agents', '--json'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect((contractDocument(first.stdout) as unknown as { tenants: Array<{ name: string }> }).tenants).toEqual([
      { name: 'default', username: 'default', password: null },
    ]);
    expect((await runCli(['agents'], { cwd: dir })).stdout).toContain('No credentials yet for team-x');
    const missing = await runCli(['agents', '--tenant', 'team-x'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/tenant team-x has no credentials yet/);
    expect(missing.stderr).toMatch(/heal-pyroscope install/);
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
