import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { runOnTty } from '../../support/tty.js';

const hosts = [
  '--environment',
  'staging',
  '--target',
  't1',
  '--web',
  'w1',
  '--app',
  'w1',
  '--db',
  'w1',
  '--ssh-user',
  'deploy',
];

describe('init on a terminal (built CLI on a pseudo-terminal)', () => {
  it('asks for the SSH port, a jump host and images when the operator wants them, and writes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-tty-'));
    const tty = runOnTty(['init', ...hosts, '--ssh-agent'], dir);
    await tty.expect('Customise SSH port, jump host or images?');
    tty.type('y\r');
    await tty.expect('SSH port:');
    tty.type('\u00152222\r');
    await tty.expect('Jump host (');
    tty.type('ops@bastion bad\r');
    await tty.expect('is not a jump host');
    tty.type('\u0015ops@bastion:2200\r');
    await tty.expect('Registry prefix');
    tty.type('\r'); // none
    await tty.expect('Image overrides');
    tty.type('minio=registry.internal:5000/minio/minio:RELEASE.2025-06-13T11-33-47Z\r');
    const r = await tty.done;
    expect(r.exitCode).toBe(0);
    const parsed = parseConfig(readFileSync(join(dir, 'heal-pyroscope.yaml'), 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.config).toMatchObject({
      ssh: { port: 2222, jumpHost: 'ops@bastion:2200', agent: true },
      images: { minio: 'registry.internal:5000/minio/minio:RELEASE.2025-06-13T11-33-47Z' },
    });
    expect(parsed.config?.registry).toBeUndefined();
  });

  it("refuses a directory and a repeated target as typed, and writes a typed relative key path for the config's directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-tty-'));
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const tty = runOnTty(
      [
        'init',
        '--config',
        'conf/x.yaml',
        '--environment',
        'staging',
        '--web',
        'w1',
        '--app',
        'w1',
        '--db',
        'w1',
        '--ssh-user',
        'deploy',
      ],
      dir,
    );
    await tty.expect('Target hosts');
    tty.type('t1, t1\r');
    await tty.expect('t1 is given twice');
    tty.type('\u0015t1\r');
    await tty.expect('authenticate');
    tty.type('\r'); // a private key file
    await tty.expect('Private key file');
    tty.type('\u0015keys\r');
    await tty.expect(`identity file ${join(dir, 'keys')} is a directory, not a private key`);
    tty.type('\u0015keys/id\r');
    await tty.expect('Customise');
    tty.type('n\r');
    const r = await tty.done;
    expect(r.exitCode).toBe(0);
    const { config } = parseConfig(readFileSync(join(dir, 'conf', 'x.yaml'), 'utf8'));
    expect(resolve(dir, 'conf', config!.ssh!.identityFile!)).toBe(join(dir, 'keys', 'id'));
    expect(config?.hosts?.targets).toEqual(['t1']);
  });
});
