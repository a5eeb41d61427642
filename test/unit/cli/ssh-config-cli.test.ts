// The CLI with hosts named by ssh_config aliases, up to the point before any host is contacted: the
// aliases' User and IdentityFile stand in for ssh.user and a key, --verbose says who read which file,
// and a named IdentityFile that does not exist ends the run with exit 2 (no network is used).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

function sshConfig(text: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-sshcli-'));
  const path = join(dir, 'ssh_config');
  writeFileSync(path, text);
  return { dir, path };
}

const hosts = ['--environment', 'staging', '--target', 'hp-t', '--web', 'hp-w', '--app', 'hp-w', '--db', 'hp-w'];

describe('hosts named by an ssh_config alias', () => {
  it('needs no ssh.user or key when ssh_config gives every host both, and checks that key before connecting', async () => {
    const { dir, path } = sshConfig(
      `Host hp-*\n  HostName 10.213.0.250\n  Port 2201\n  User deploy\n  IdentityFile ${'/nonexistent/hp-key'}\n`,
    );
    const r = await runCli(
      ['preflight', ...hosts, '--ssh-config', path, '--known-hosts', join(dir, 'kh'), '--yes', '--verbose'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/ssh_config: .*ssh_config, read by (`ssh -G` \(OpenSSH\)|the ssh-config parser)/);
    expect(r.stderr).toContain(
      'ssh_config for hp-w: HostName 10.213.0.250, Port 2201, User deploy, IdentityFile /nonexistent/hp-key',
    );
    expect(r.stderr).toContain('identity file /nonexistent/hp-key does not exist');
    expect(r.stderr).toContain('no host was contacted');
  });

  it('still asks for ssh.user and a key when a host has none in ssh_config', async () => {
    const { dir, path } = sshConfig('Host hp-w\n  User deploy\n  IdentityFile /nonexistent/hp-key\n');
    const r = await runCli(['--json', 'preflight', ...hosts, '--ssh-config', path, '--yes'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'config.missing', message: 'missing 2 required settings' },
    });
  });

  it('refuses an --ssh-config file that does not exist, exit 2', async () => {
    const r = await runCli(
      [
        '--json',
        'preflight',
        ...hosts,
        '--ssh-config',
        '/nonexistent/ssh_config',
        '--ssh-user',
        'u',
        '--identity-file',
        '/k',
        '--yes',
      ],
      { cwd: '/' },
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'config.ssh-config.missing' } });
  });
});
