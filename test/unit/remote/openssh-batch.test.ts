import { describe, expect, it } from 'vitest';
import { openSshReader } from '../../../src/remote/openssh-config.js';
import { sshConfigSource } from '../../../src/remote/ssh-config.js';
import { configFile, hasSsh } from '../support/ssh-config-files.js';

describe.skipIf(!hasSsh)('ssh -G for many hosts at once', () => {
  it('answers every alias in order, as one ssh -G each would', async () => {
    const reader = await openSshReader(sshConfigSource(configFile('Host app\n  HostName 10.0.0.12\n  User deploy\nHost 10.0.0.*\n  Port 2222\n')));
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
      await expect(reader.hosts!(['good', 'bad'])).rejects.toMatchObject({ code: 'config.ssh-config.invalid', message: expect.stringMatching(/for good: .*line 2.*NoSuchOption/i) });
    } finally {
      await reader.close();
    }
  });
});
