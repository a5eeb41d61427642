import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSshReader } from '../../../src/remote/openssh-config.js';
import { sshConfigSource } from '../../../src/remote/ssh-config.js';
import { configFile, hasSsh } from '../support/ssh-config-files.js';

describe.skipIf(!hasSsh)('ssh -G for many hosts at once', () => {
  it('answers every alias in order, as one ssh -G each would', async () => {
    const reader = await openSshReader(
      sshConfigSource(configFile('Host app\n  HostName 10.0.0.12\n  User deploy\nHost 10.0.0.*\n  Port 2222\n')),
    );
    try {
      const aliases = ['app', '10.0.0.5', 'other', '-oProxyCommand=x; touch /tmp/hp-batch-should-not-exist'];
      const one = await Promise.all(aliases.slice(0, 3).map((a) => reader.host(a)));
      const batch = await reader.hosts!(aliases.slice(0, 3));
      expect(batch).toEqual(one);
      expect(batch[0]).toMatchObject({ hostName: '10.0.0.12', user: 'deploy' });
      expect(batch[1]).toMatchObject({ port: 2222 });
      // An alias is an argument, never a shell word or an option: ssh refuses it, nothing runs.
      await expect(reader.hosts!(aliases)).rejects.toMatchObject({ code: 'config.ssh-config.invalid' });
    } finally {
      await reader.close();
    }
  });

  it('fails the batch with the first alias error when ssh rejects the config', async () => {
    const reader = await openSshReader(sshConfigSource(configFile('Host bad\n  NoSuchOption yes\n')));
    try {
      await expect(reader.hosts!(['good', 'bad'])).rejects.toMatchObject({
        code: 'config.ssh-config.invalid',
        message: expect.stringMatching(/for good: .*line 2.*NoSuchOption/i),
      });
    } finally {
      await reader.close();
    }
  });

  /** The hosts' answers with an `ssh` on PATH that notes each destination it is asked about, then runs the real one. */
  async function counted(
    config: string,
    aliases: string[],
  ): Promise<{ answers: unknown[]; asked: string[]; one: unknown[] }> {
    const bin = mkdtempSync(join(tmpdir(), 'hp-ssh-count-'));
    const log = join(bin, 'log');
    const real = process.env
      .PATH!.split(':')
      .map((d) => join(d, 'ssh'))
      .find((p) => existsSync(p))!;
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\necho "$*" >>'${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    writeFileSync(log, '');
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    const reader = await openSshReader(sshConfigSource(configFile(config)));
    try {
      const answers = await reader.hosts!(aliases);
      const asked = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('-G '))
        .map((l) => l.split(' ').at(-1)!);
      const one = await Promise.all(aliases.map((a) => reader.host(a)));
      return { answers, asked, one };
    } finally {
      process.env.PATH = saved;
      await reader.close();
    }
  }

  const many = [
    '10.213.0.101',
    'target-02',
    '10.213.0.103',
    'Target-04.lab',
    'fd00::5',
    'web-01',
    'app-01',
    '10.213.0.108',
  ];

  it('asks ssh -G about two hosts only when the config says nothing host-specific, with the answers one ssh -G each gives', async () => {
    const { answers, asked, one } = await counted(
      'Host *\n  User deploy\n  Port 2222\n  IdentityFile ~/.ssh/lab_key\n  ProxyJump ops@bastion\n',
      many,
    );
    expect(asked.sort()).toEqual(['10.213.0.101', '10.213.0.108']);
    expect(answers).toEqual(one);
    expect(answers[3]).toMatchObject({
      user: 'deploy',
      port: 2222,
      identityFiles: ['~/.ssh/lab_key'],
      proxyJump: 'ops@bastion',
    });
    expect(answers[3]).not.toHaveProperty('hostName');
  });

  it('asks about every host when there are few (reading the files would cost more than asking)', async () => {
    const { answers, asked, one } = await counted('Host *\n  User deploy\n', many.slice(0, 4));
    expect(asked).toHaveLength(4);
    expect(answers).toEqual(one);
  });

  it('asks about every host when a Host pattern, a Match or a %-token could tell them apart', async () => {
    for (const config of [
      'Host target-*\n  User t\nHost *\n  User deploy\n',
      'Match user nobody\n  Port 2\n',
      'Host *\n  HostName %h.example.com\n',
      'Host *\n  CanonicalizeHostname yes\n',
    ]) {
      const { answers, asked, one } = await counted(config, many);
      expect(asked, config).toHaveLength(many.length);
      expect(answers).toEqual(one);
    }
  });
});
