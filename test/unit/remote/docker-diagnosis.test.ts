import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { DockerProbe } from '../../../src/remote/docker-diagnosis.js';
import { DOCKER_PROBE_SCRIPT, dockerFailure, parseDockerProbe } from '../../../src/remote/docker-diagnosis.js';

const healthy: DockerProbe = {
  socket: 'yes',
  access: true,
  stat: 'root:docker:660',
  user: 'heal',
  groups: ['heal', 'docker'],
  sudo: 'missing',
  dockerGroupExists: true,
  installed: true,
  listening: true,
};
const sock = '/run/docker.sock';

describe('dockerFailure', () => {
  it('says Docker is missing when there is neither a socket nor dockerd', () => {
    expect(dockerFailure({ ...healthy, socket: 'no', installed: false }, 'web-01', sock)).toMatchObject({
      code: 'docker.missing',
      message: 'Docker is not installed on web-01 (no dockerd and no socket at /run/docker.sock)',
    });
  });

  it('says the engine is not running when dockerd exists but the socket does not', () => {
    expect(dockerFailure({ ...healthy, socket: 'no' }, 'web-01', sock).code).toBe('docker.not-running');
  });

  it('says the engine is not running when the socket is stale', () => {
    expect(dockerFailure({ ...healthy, listening: false }, 'web-01', sock)).toMatchObject({
      code: 'docker.not-running',
      message: expect.stringContaining('stale socket'),
    });
  });

  it('explains permission denied for a user outside the docker group, and that the group is root-equivalent', () => {
    const e = dockerFailure({ ...healthy, access: false, groups: ['heal'] }, 'web-01', sock);
    expect(e.code).toBe('docker.permission');
    expect(e.message).toBe(
      'User heal on web-01 may not use the Docker socket /run/docker.sock (owner root:docker, mode 660); heal is not in group docker',
    );
    expect(e.hint).toContain('root-equivalent');
  });

  it('offers the sudo route when the user has passwordless sudo', () => {
    const e = dockerFailure({ ...healthy, access: false, groups: ['heal'], sudo: 'yes' }, 'web-01', sock);
    expect(e.hint).toContain('sudo usermod -aG docker heal');
  });

  it('blames the socket mode when the user is already in its group', () => {
    const e = dockerFailure({ ...healthy, access: false, stat: 'root:docker:600' }, 'web-01', sock);
    expect(e.hint).toContain('mode 600');
  });

  it('blames sshd when the engine listens but the channel is refused', () => {
    const e = dockerFailure(healthy, 'web-01', sock);
    expect(e.code).toBe('docker.forwarding-refused');
    expect(e.hint).toContain('AllowStreamLocalForwarding');
    expect(e.hint).toContain('restrict');
  });

  it('names both suspects when listening state is unknown or the probe did not run', () => {
    expect(dockerFailure({ ...healthy, listening: null }, 'web-01', sock).code).toBe('docker.unreachable');
    expect(dockerFailure(parseDockerProbe(''), 'web-01', sock).code).toBe('docker.unreachable');
  });
});

describe('DOCKER_PROBE_SCRIPT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heal-probe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (path: string) =>
    parseDockerProbe((await execa('sh', ['-c', DOCKER_PROBE_SCRIPT, 'sh', path])).stdout);

  it('finds a listening socket through /proc/net/unix', async () => {
    const path = join(dir, 'engine.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(await run(path)).toMatchObject({ socket: 'yes', access: true, listening: true });
    } finally {
      server.close();
    }
  });

  it('reports a missing socket', async () => {
    expect(await run('/nonexistent/engine.sock')).toMatchObject({ socket: 'no', listening: false });
  });

  it('reports a regular file as not a socket', async () => {
    const path = join(dir, 'file');
    writeFileSync(path, '');
    expect((await run(path))?.socket).toBe('other');
  });
});
