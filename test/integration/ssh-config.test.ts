// ssh_config as OpenSSH reads it (issue #13, point 3): hosts named by an alias whose HostName, Port,
// User and IdentityFile come from an ssh_config connect with nothing else set in heal-pyroscope's
// own config; Port is honoured (a wrong one is what the connection is refused on); a jump host's
// long form reaches inner-01 through bastion-01, with its own key or with the hosts' key.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, type Lab } from '../lab/lab.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const stateDir = process.env.LAB_STATE_DIR ?? '/var/lib/hplab';

interface Check {
  id: string;
  host: string;
  status: string;
  summary: string;
}

/** A temp dir with an ssh_config (`hp-NAME` aliases) and a heal-pyroscope.yaml naming hosts only by alias. */
function setup(
  lab: Lab,
  sshConfig: (address: (name: string) => string) => string,
  yaml: string,
): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-sshcfg-'));
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;
  writeFileSync(join(dir, 'ssh_config'), sshConfig(address));
  const path = join(dir, 'heal-pyroscope.yaml');
  writeFileSync(path, `environment: lab\nssh:\n  knownHostsFile: ${lab.knownHosts}\n  configFile: ssh_config\n${yaml}`);
  return { dir, path };
}

function alias(name: string, address: string, key: string, port = 22): string {
  return `Host hp-${name}\n  HostName ${address}\n  Port ${port}\n  User root\n  IdentityFile ${key}\n`;
}

const ALIASES = 'hosts:\n  targets: [hp-target-01]\n  web: hp-web-01\n  app: hp-app-01\n  db: hp-db-01\n';

function sshdContacts(host: string): number {
  const log = readFileSync(join(stateDir, 'hosts', host, 'logs', 'sshd.log'), 'utf8');
  return log.split('\n').filter((l) => /Connection from|Accepted/.test(l)).length;
}

describe.skipIf(skip)('ssh_config (lab)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = requireLab();
  });

  it('connects hosts named only by an alias whose HostName, Port, User and IdentityFile come from ssh_config', async () => {
    const topo = setup(
      lab,
      (a) => ['target-01', 'web-01', 'app-01', 'db-01'].map((n) => alias(n, a(n), lab.keys.root)).join(''),
      ALIASES,
    );
    const r = await runCli(['--json', 'preflight', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    const doc = JSON.parse(r.stdout) as { results: Check[] };
    const ssh = doc.results.filter((c) => c.id === 'ssh.connect');
    expect(ssh.map((c) => [c.host, c.status, c.summary]).sort()).toEqual(
      [
        ['hp-app-01', 'pass', `connected as root to ${lab.hosts.find((h) => h.name === 'app-01')!.address}:22`],
        ['hp-db-01', 'pass', `connected as root to ${lab.hosts.find((h) => h.name === 'db-01')!.address}:22`],
        ['hp-target-01', 'pass', `connected as root to ${lab.hosts.find((h) => h.name === 'target-01')!.address}:22`],
        ['hp-web-01', 'pass', `connected as root to ${lab.hosts.find((h) => h.name === 'web-01')!.address}:22`],
      ].sort(),
    );
    // The connection is the one the checks use: each engine answered over it.
    expect(doc.results.filter((c) => c.id === 'docker.engine').map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
    // Other hosts and the containers reach a host by its HostName, never by the alias only this machine knows.
    const flows = doc.results.filter((c) => c.id === 'flows.open');
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.filter((c) => c.status !== 'pass').map((c) => `${c.host}: ${c.summary}`)).toEqual([]);
    expect(doc.results.find((c) => c.id === 'hosts.address' && c.host === 'hp-app-01')?.summary).toContain(
      lab.hosts.find((h) => h.name === 'app-01')!.address,
    );
  }, 120_000);

  it("connects to the Port ssh_config gives: a port nothing listens on is what the host's connection is refused on", async () => {
    const topo = setup(
      lab,
      (a) =>
        ['target-01', 'web-01', 'db-01'].map((n) => alias(n, a(n), lab.keys.root)).join('') +
        alias('app-01', a('app-01'), lab.keys.root, 2222),
      ALIASES,
    );
    const r = await runCli(['--json', 'status', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { unreachable: Array<{ machine: string; error: string }> };
    expect(JSON.stringify(doc.unreachable)).toMatch(/hp-app-01[\s\S]*:2222[\s\S]*refused/);
    expect(doc.unreachable).toHaveLength(1);
  }, 60_000);

  it('a missing IdentityFile from ssh_config exits 2 before any host is contacted, naming it', async () => {
    const topo = setup(
      lab,
      (a) => ['target-01', 'web-01', 'app-01', 'db-01'].map((n) => alias(n, a(n), `${lab.keys.root}.missing`)).join(''),
      ALIASES,
    );
    const before = sshdContacts('app-01');
    const r = await runCli(['--json', 'preflight', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'ssh.key.missing', message: `identity file ${lab.keys.root}.missing does not exist` },
    });
    expect(sshdContacts('app-01')).toBe(before);
  }, 60_000);

  it("reaches inner-01 through a jump host's long form with its own user and key", async () => {
    const bastion = lab.hosts.find((h) => h.name === 'bastion-01')!.address;
    const topo = setup(
      lab,
      (a) => alias('inner-01', a('inner-01'), lab.keys.root),
      `  jumpHost: { host: ${bastion}, user: root, port: 22, identityFile: ${lab.keys.root} }\nhosts:\n  targets: [hp-inner-01]\n  web: hp-inner-01\n  app: hp-inner-01\n  db: hp-inner-01\n`,
    );
    const r = await runCli(['--json', 'status', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ unreachable: [] });
  }, 60_000);

  it('follows a ProxyJump chain from ssh_config, each hop by its own ssh_config entry (bastion-01 twice, then inner-01)', async () => {
    const bastion = lab.hosts.find((h) => h.name === 'bastion-01')!.address;
    const topo = setup(
      lab,
      (a) =>
        `Host hp-inner-01\n  HostName ${a('inner-01')}\n  User root\n  IdentityFile ${lab.keys.root}\n  ProxyJump ${bastion},root@${bastion}:22\n` +
        `Host ${bastion}\n  User root\n  IdentityFile ${lab.keys.root}\n`,
      'hosts:\n  targets: [hp-inner-01]\n  web: hp-inner-01\n  app: hp-inner-01\n  db: hp-inner-01\n',
    );
    const logins = () =>
      readFileSync(join(stateDir, 'hosts', 'bastion-01', 'logs', 'sshd.log'), 'utf8')
        .split('\n')
        .filter((l) => /Accepted publickey/.test(l));
    const before = logins().length;
    const r = await runCli(['--json', '--verbose', 'status', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ unreachable: [] });
    // Two hops: bastion-01 was logged into twice, from here and then from itself.
    const added = logins().slice(before);
    expect(added).toHaveLength(2);
    expect(added.filter((l) => l.includes(`from ${bastion} `))).toHaveLength(1);
    // As ssh -G prints it (OpenSSH writes a hop with a port as user@[host]:port).
    expect(r.stderr).toContain(
      `ssh_config for hp-inner-01: HostName ${lab.hosts.find((h) => h.name === 'inner-01')!.address}, User root, IdentityFile ${lab.keys.root}, ProxyJump ${bastion},root@[${bastion}]:22`,
    );
  }, 60_000);

  it("offers the hosts' key to a jump host that names none", async () => {
    const bastion = lab.hosts.find((h) => h.name === 'bastion-01')!.address;
    const inner = lab.hosts.find((h) => h.name === 'inner-01')!.address;
    const topo = setup(
      lab,
      () => '',
      `  user: root\n  identityFile: ${lab.keys.root}\n  jumpHost: { host: ${bastion}, user: root }\nhosts:\n  targets: [${inner}]\n  web: ${inner}\n  app: ${inner}\n  db: ${inner}\n`,
    );
    const r = await runCli(['--json', 'status', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(JSON.parse(r.stdout), r.stderr).toMatchObject({ unreachable: [] });
  }, 60_000);

  it("refuses a jump host's own key that is a public key, exit 2, contacting no host", async () => {
    const bastion = lab.hosts.find((h) => h.name === 'bastion-01')!.address;
    const topo = setup(
      lab,
      (a) => alias('inner-01', a('inner-01'), lab.keys.root),
      `  jumpHost: { host: ${bastion}, user: root, identityFile: ${lab.keys.root}.pub }\nhosts:\n  targets: [hp-inner-01]\n  web: hp-inner-01\n  app: hp-inner-01\n  db: hp-inner-01\n`,
    );
    const before = sshdContacts('bastion-01');
    const r = await runCli(['--json', 'status', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'ssh.key.public' } });
    expect(sshdContacts('bastion-01')).toBe(before);
  }, 60_000);
});
