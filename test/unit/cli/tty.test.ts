import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { runOnTty } from '../../support/tty.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hp-tty-'));

describe('on a terminal (built CLI on a pseudo-terminal)', () => {
  it('init asks for each missing value, validates it as typed, and writes the config', async () => {
    const dir = tmp();
    const key = join(dir, 'id');
    writeFileSync(key, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const tty = runOnTty(['init'], dir);
    await tty.expect('Environment name');
    tty.type('production\r');
    await tty.expect('looks like production');
    tty.type('\u0015staging\r'); // Ctrl-U clears the line, then a valid answer
    await tty.expect('Target hosts');
    tty.type('10.1.0.5, svc-02\r');
    await tty.expect('Web host');
    tty.type('bad host\r');
    await tty.expect('"bad host" is not a valid hostname');
    tty.type('\u0015web-01\r');
    await tty.expect('App host');
    tty.type('\r'); // defaults to the web host
    await tty.expect('DB host');
    tty.type('db-01\r');
    await tty.expect('SSH user');
    tty.type('\u0015deploy\r');
    await tty.expect('authenticate');
    tty.type('\r'); // a private key file
    await tty.expect('Private key file');
    tty.type('\u0015/etc/hostname\r');
    await tty.expect('is not a private key');
    tty.type(`\u0015${key}\r`);
    await tty.expect('Customise SSH port, jump host or images?');
    tty.type('\r'); // no: the defaults
    const r = await tty.done;
    expect(r.exitCode).toBe(0);
    const parsed = parseConfig(readFileSync(join(dir, 'heal-pyroscope.yaml'), 'utf8'));
    expect(parsed.config).toMatchObject({
      environment: 'staging',
      ssh: { user: 'deploy', identityFile: key },
      hosts: { targets: ['10.1.0.5', 'svc-02'], web: 'web-01', app: 'web-01', db: 'db-01' },
    });
    // Fourteen prompts of a built CLI on a pseudo-terminal: on a loaded two-core machine the whole
    // dialogue took longer than vitest's default 5 s. Each `expect` keeps its own wait.
  }, 30_000);

  it('Ctrl-C at a prompt exits 130 with one line and no stack trace', async () => {
    const tty = runOnTty(['preflight'], tmp());
    await tty.expect('Environment name');
    tty.type('\u0003');
    const r = await tty.done;
    expect(r.exitCode).toBe(130);
    expect(tty.screen()).toContain('interrupted at a prompt; nothing was changed');
    expect(tty.screen()).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
  });
});
