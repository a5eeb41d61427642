import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { renderConfigFile } from '../../../src/config/write.js';

describe('config file writer', () => {
  it('writes a commented file that validates even when empty', () => {
    const text = renderConfigFile({});
    expect(text).toMatch(/^# heal-pyroscope topology/);
    expect(parseConfig(text).problems).toEqual([]);
  });

  it('round-trips every answer through the schema', () => {
    const text = renderConfigFile({
      environment: 'staging',
      targets: ['10.1.0.5', 'svc-02.internal'],
      web: 'web-01',
      app: 'app-01',
      db: 'db-01',
      sshUser: 'deploy',
      sshPort: 2222,
      identityFile: '/home/deploy/.ssh/id_ed25519',
      agent: false,
      knownHostsFile: '/etc/ssh/known',
      jumpHost: 'ops@bastion:22',
      registryPrefix: 'registry.internal:5000/mirror',
      grafanaPort: 3300,
    });
    const parsed = parseConfig(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config).toEqual({
      environment: 'staging',
      ssh: {
        user: 'deploy',
        port: 2222,
        identityFile: '/home/deploy/.ssh/id_ed25519',
        agent: false,
        knownHostsFile: '/etc/ssh/known',
        jumpHost: 'ops@bastion:22',
      },
      hosts: { targets: ['10.1.0.5', 'svc-02.internal'], web: 'web-01', app: 'app-01', db: 'db-01' },
      registry: { prefix: 'registry.internal:5000/mirror' },
      grafana: { port: 3300 },
    });
  });

  it('quotes values that YAML would otherwise misread', () => {
    const parsed = parseConfig(renderConfigFile({ environment: 'yes', sshUser: 'null' }));
    expect(parsed.config).toMatchObject({ environment: 'yes', ssh: { user: 'null' } });
  });
});
