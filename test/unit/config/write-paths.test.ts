import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeToConfig } from '../../../src/config/write.js';

describe('paths written into a config file', () => {
  const where = { cwd: '/work', configDir: '/work/sub/dir' };

  it("rewrites a relative key file and known_hosts for the config file's directory", () => {
    const out = relativeToConfig({ identityFile: 'keys/id', knownHostsFile: 'kh' }, where);
    expect(out).toEqual({ identityFile: '../../keys/id', knownHostsFile: '../../kh' });
    expect(resolve(where.configDir, out.identityFile!)).toBe('/work/keys/id');
  });

  it('keeps absolute and home-relative paths as given', () => {
    const input = { identityFile: '/etc/key', knownHostsFile: '~/.ssh/known_hosts' };
    expect(relativeToConfig(input, where)).toEqual(input);
  });

  it('leaves other settings alone', () => {
    expect(relativeToConfig({ web: 'web-01', registryPrefix: 'r.internal/m' }, where)).toEqual({
      web: 'web-01',
      registryPrefix: 'r.internal/m',
    });
  });
});
