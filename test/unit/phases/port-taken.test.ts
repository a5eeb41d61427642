import { describe, expect, it } from 'vitest';
import type { HostSpec } from '../../../src/config/topology.js';
import { HealError } from '../../../src/core/errors.js';
import { Host } from '../../../src/hosts/host.js';
import { bindFailurePort, startContainer } from '../../../src/phases/install/port-taken.js';
import type { ContainerSpec } from '../../../src/plan/container-spec.js';
import { FakeHost } from '../support/fake-host.js';

const spec = { name: 'heal-pyroscope-pyroscope' } as ContainerSpec;
function appHost(): { host: Host; fake: FakeHost } {
  const entry: HostSpec = {
    tier: 'app',
    name: 'app-01',
    host: '10.213.0.12',
    ssh: { user: 'root', port: 22, agent: false, knownHostsFile: '/k' },
    dockerSocket: '/var/run/docker.sock',
  };
  const host = new Host([entry]);
  const fake = new FakeHost('app-01');
  host.connection = fake;
  return { host, fake };
}
const engineSays = (detail: string) =>
  new HealError({
    code: 'docker.api',
    message: `Docker engine on app-01 could not start container heal-pyroscope-pyroscope: ${detail}`,
  });

describe('a port taken when a container starts', () => {
  it('finds the port in what the engine says, for another process and another container', () => {
    expect(
      bindFailurePort(
        'driver failed programming external connectivity on endpoint x: Error starting userland proxy: listen tcp4 0.0.0.0:4040: bind: address already in use',
      ),
    ).toBe(4040);
    expect(
      bindFailurePort(
        'driver failed programming external connectivity on endpoint x (abc): Bind for 0.0.0.0:3000 failed: port is already allocated',
      ),
    ).toBe(3000);
    expect(bindFailurePort('No such image: grafana/tempo:2.8.1')).toBeNull();
  });

  it('names the port, the host and the process that holds it', async () => {
    const { host, fake } = appHost();
    fake.engine.startContainer = () =>
      Promise.reject(
        engineSays('Error starting userland proxy: listen tcp4 0.0.0.0:4040: bind: address already in use'),
      );
    fake.onExec('ss -Hltnp', { stdout: 'LISTEN 0 4096 0.0.0.0:4040 0.0.0.0:* users:(("nc",pid=4242,fd=3))\n' });
    await expect(startContainer(host, spec, 'id1')).rejects.toMatchObject({
      code: 'install.port-taken',
      message: 'port 4040 on app-01 is taken by nc (pid 4242), so heal-pyroscope-pyroscope cannot start',
      hint: expect.stringContaining('free port 4040 on app-01'),
    });
  });

  it('still names port and host when nothing can tell the holder', async () => {
    const { host, fake } = appHost();
    fake.engine.startContainer = () =>
      Promise.reject(engineSays('Bind for 0.0.0.0:4040 failed: port is already allocated'));
    fake.onExec('ss -Hltnp', { code: 127, stderr: 'ss: not found' });
    await expect(startContainer(host, spec, 'id1')).rejects.toMatchObject({
      message: 'port 4040 on app-01 is taken, so heal-pyroscope-pyroscope cannot start',
    });
  });

  it('passes any other start failure through unchanged', async () => {
    const { host, fake } = appHost();
    const other = engineSays('OCI runtime create failed');
    fake.engine.startContainer = () => Promise.reject(other);
    await expect(startContainer(host, spec, 'id1')).rejects.toBe(other);
  });
});
