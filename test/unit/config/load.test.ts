import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfigFile, parseConfig } from '../../../src/config/load.js';
import { HealError } from '../../../src/core/errors.js';

const problems = (text: string) => parseConfig(text).problems.map(formatProblem);

const valid = `environment: staging
ssh:
  user: deploy
  identityFile: ~/.ssh/id_ed25519
hosts:
  targets: [10.1.0.5, app-server-02.internal]
  web: web-01.internal
  app: { host: app-01.internal, name: app-01, port: 2222, dockerSocket: /run/user/1000/docker.sock }
  db: db-01.internal
`;

describe('config file validation', () => {
  it('accepts a complete file', () => {
    const parsed = parseConfig(valid);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config?.hosts?.app).toMatchObject({ host: 'app-01.internal', port: 2222 });
  });

  it('names the key path and line of an invalid hostname', () => {
    expect(problems(valid.replace('db: db-01.internal', 'db: "db 01"'))).toEqual([
      'hosts.db: "db 01" is not a valid hostname or IP address (line 9)',
    ]);
  });

  it('rejects an impossible IPv4 address', () => {
    expect(problems('hosts:\n  web: 10.0.0.300\n')).toEqual([
      'hosts.web: "10.0.0.300" is not a valid hostname or IP address (line 2)',
    ]);
  });

  it('reports an invalid host inside an object entry', () => {
    expect(problems('hosts:\n  targets:\n    - ok-host\n    - host: "bad_host!"\n')).toEqual([
      'hosts.targets[1].host: "bad_host!" is not a valid hostname or IP address (line 4)',
    ]);
  });

  it('treats unknown keys as errors and suggests the closest one', () => {
    expect(problems('ssh:\n  usr: deploy\n')).toEqual(['ssh.usr: unknown key (did you mean "user"?) (line 2)']);
  });

  it('lists the allowed keys when nothing is close', () => {
    expect(problems('grafana:\n  colour: blue\n')).toEqual(['grafana.colour: unknown key (allowed: port) (line 2)']);
  });

  it('rejects an unknown top-level key', () => {
    expect(problems('environment: staging\nhostz: {}\n')[0]).toMatch(
      /^hostz: unknown key \(did you mean "hosts"\?\) \(line 2\)$/,
    );
  });

  it("asks for the door's three files with frontDoor.tls: files, and refuses them without it", () => {
    expect(problems('frontDoor:\n  tls: files\n  certificate: door.crt\n')).toEqual([
      'frontDoor.key: is required with `frontDoor.tls: files` (line 2)',
      'frontDoor.ca: is required with `frontDoor.tls: files` (line 2)',
    ]);
    expect(problems('frontDoor:\n  key: door.key\n')).toEqual([
      'frontDoor.key: names a file for the door, but `frontDoor.tls` is not `files`: set it, or drop this key (line 2)',
    ]);
    expect(problems('frontDoor:\n  tls: self\n')[0]).toMatch(/"self" is not a TLS mode \(generated or files or off\)/);
    expect(problems('frontDoor:\n  tls: files\n  certificate: a\n  key: b\n  ca: c\n')).toEqual([]);
  });

  it('takes tenants by name, once each, and an authentication mode', () => {
    expect(problems('tenants: [default, team-b]\nfrontDoor:\n  auth: tenants\n')).toEqual([]);
    expect(problems('frontDoor:\n  auth: none\n')).toEqual([]);
    expect(problems('frontDoor:\n  auth: basic\n')[0]).toMatch(
      /"basic" is not an authentication mode \(tenants or none\)/,
    );
    expect(problems('tenants: [Team_A]\n')[0]).toMatch(/"Team_A" is not a tenant name/);
    expect(problems('tenants: ["a|b"]\n')[0]).toMatch(/is not a tenant name/);
    expect(problems('tenants: [a, a]\n')[0]).toMatch(/names a tenant twice/);
    expect(problems('tenants: []\n')[0]).toMatch(/names no tenant/);
    expect(problems('tenants: [a]\nfrontDoor:\n  auth: none\n')[0]).toMatch(
      /^tenants: names tenants, but `frontDoor.auth` is none/,
    );
  });

  it('rejects ports out of range and non-numbers', () => {
    expect(problems('ssh:\n  port: 70000\n')).toEqual(['ssh.port: 70000 is not a port (1-65535) (line 2)']);
    expect(problems('ssh:\n  port: "22"\n')).toEqual(['ssh.port: expected a number, got string "22" (line 2)']);
    expect(problems('ssh:\n  port: 22.5\n')).toEqual(['ssh.port: 22.5 is not a whole number (line 2)']);
  });

  it('rejects a wrong type for a section', () => {
    expect(problems('hosts: 5\n')).toEqual(['hosts: expected a mapping, got number 5 (line 1)']);
    expect(problems('hosts:\n  targets: web-01\n')).toEqual([
      'hosts.targets: expected a list, got string "web-01" (line 2)',
    ]);
  });

  it('requires an absolute Docker socket path', () => {
    expect(problems('docker:\n  socket: docker.sock\n')).toEqual([
      'docker.socket: "docker.sock" must be an absolute path (line 2)',
    ]);
  });

  it('validates the jump host form', () => {
    expect(problems('ssh:\n  jumpHost: "a@b@c"\n')[0]).toMatch(/^ssh\.jumpHost: "a@b@c" is not a jump host/);
    expect(problems('ssh:\n  jumpHost: ops@bastion.internal:2222\n')).toEqual([]);
    expect(problems('ssh:\n  jumpHost: "outer.internal, ops@bastion.internal:2222"\n')).toEqual([]);
    expect(problems('ssh:\n  jumpHost: "outer.internal,,b"\n')[0]).toMatch(/is not a jump host/);
  });

  it('accepts the long form of a jump host, for every host and per host, and checks its fields', () => {
    expect(
      problems('ssh:\n  jumpHost: { host: bastion.internal, user: ops, port: 2222, identityFile: keys/bastion }\n'),
    ).toEqual([]);
    expect(problems('hosts:\n  web: { host: web-01, jumpHost: { host: bastion.internal } }\n')).toEqual([]);
    expect(problems('ssh:\n  jumpHost: { host: bastion.internal, port: 70000 }\n')).toEqual([
      'ssh.jumpHost.port: 70000 is not a port (1-65535) (line 2)',
    ]);
    expect(problems('ssh:\n  jumpHost: { host: bastion.internal, proxy: x }\n')).toEqual([
      'ssh.jumpHost.proxy: unknown key (allowed: host, user, port, identityFile) (line 2)',
    ]);
  });

  it('accepts ssh.configFile', () => {
    expect(problems('ssh:\n  configFile: ./ssh_config\n')).toEqual([]);
  });

  it('rejects a guard pattern that is not a regular expression', () => {
    expect(problems('guard:\n  hostnamePatterns: ["(prod"]\n')).toEqual([
      'guard.hostnamePatterns[0]: "(prod" is not a valid regular expression (line 2)',
    ]);
  });

  it('rejects a malformed registry prefix', () => {
    expect(problems('registry:\n  prefix: "https://registry"\n')[0]).toMatch(
      /^registry\.prefix: "https:\/\/registry" is not a registry prefix/,
    );
  });

  it('accepts one image override per component and refuses an unpinned one, naming key and line', () => {
    expect(problems('images:\n  minio: mirror.internal/minio/minio:RELEASE.2025-06-13T11-33-47Z\n')).toEqual([]);
    expect(
      problems(
        'images:\n  minio: mirror.internal/minio/minio:RELEASE.2025-06-13T11-33-47Z\n  pyroscope: grafana/pyroscope:latest\n',
      ),
    ).toEqual([
      'images.pyroscope: "grafana/pyroscope:latest" uses the floating tag "latest": pin an exact version (line 3)',
    ]);
    expect(problems('images:\n  tempo: grafana/tempo\n')[0]).toMatch(
      /^images\.tempo: "grafana\/tempo" has no tag or digest.*\(line 2\)$/,
    );
    expect(problems('images:\n  loki: grafana/loki:3.0.0\n')[0]).toMatch(
      /^images\.loki: unknown key \(allowed: minio, pyroscope, tempo, grafana, haproxy\)/,
    );
  });

  it('validates log bounds and memory limits', () => {
    expect(
      problems(
        'containers:\n  logs: { maxSize: 20m, maxFiles: 5 }\n  memoryLimits: { pyroscope: 4g, grafana: none }\n',
      ),
    ).toEqual([]);
    expect(problems('containers:\n  logs:\n    maxSize: 10MB\n')).toEqual([
      'containers.logs.maxSize: "10MB" is not a log size (e.g. 10m, 512k, 1g) (line 3)',
    ]);
    expect(problems('containers:\n  logs:\n    maxFiles: 0\n')).toEqual([
      'containers.logs.maxFiles: 0 is not a number of log files (1-100) (line 3)',
    ]);
    expect(problems('containers:\n  memoryLimits:\n    minio: lots\n')).toEqual([
      'containers.memoryLimits.minio: "lots" is not a memory limit (e.g. 512m, 2g, or none) (line 3)',
    ]);
  });

  it('takes IPv4 addresses and networks as sources, refusing host bits and who-may-reach on unpublished consoles', () => {
    expect(problems('frontDoor:\n  allowFrom: [10.20.0.0/16, 10.1.0.9, 0.0.0.0/0]\n')).toEqual([]);
    expect(problems('frontDoor:\n  allowFrom: [10.20.1.0/16]\n')).toEqual([
      'frontDoor.allowFrom[0]: "10.20.1.0/16" has host bits set: write 10.20.0.0/16 (line 2)',
    ]);
    expect(problems('frontDoor:\n  allowFrom: [10.0.0.256, 10.0.0.0/33, fd00::/8, any]\n')).toHaveLength(4);
    expect(problems('consoles:\n  allowFrom: [10.20.5.0/24]\n')).toEqual([]);
    expect(problems('consoles:\n  published: false\n  allowFrom: [10.20.5.0/24]\n')).toEqual([
      'consoles.allowFrom: names who may reach the consoles, but `consoles.published` is false: drop one of them (line 3)',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('hosts:\n  web: [a\n')[0]).toMatch(/^\(top level\): YAML syntax error: .* \(line \d\)$/);
  });

  it('rejects duplicate keys', () => {
    expect(problems('environment: a\nenvironment: b\n')[0]).toMatch(/YAML syntax error: .*unique.*\(line 2\)/i);
  });

  it('treats an empty section as not set', () => {
    expect(problems('docker:\nregistry:\n')).toEqual([]);
  });

  it('reports every problem, in file order', () => {
    const all = problems('ssh:\n  port: 0\nhosts:\n  web: "a b"\n  app: x y\n');
    expect(all.map((p) => p.match(/\(line (\d+)\)$/)?.[1])).toEqual(['2', '4', '5']);
  });

  it('throws a usage error naming the file for a missing config', async () => {
    const err = await loadConfigFile('/nonexistent/heal.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealError);
    expect((err as HealError).exitCode).toBe(2);
    expect((err as HealError).message).toBe('config file /nonexistent/heal.yaml does not exist');
    expect((err as HealError).hint).toMatch(/heal-pyroscope init/);
  });

  it('throws one error listing every problem of an invalid file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-config-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'ssh:\n  port: 0\nhosts:\n  web: "a b"\n');
    const err = (await loadConfigFile(path).catch((e: unknown) => e)) as HealError;
    expect(err.code).toBe('config.invalid');
    expect(err.message).toBe(`${path}: 2 problems`);
    expect(err.details).toEqual([
      'ssh.port: 0 is not a port (1-65535) (line 2)',
      'hosts.web: "a b" is not a valid hostname or IP address (line 4)',
    ]);
  });
});
