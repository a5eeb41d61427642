import { describe, expect, it } from 'vitest';
import { localSocket } from '../../../src/cli/commands/images.js';
import { runCli } from '../../support/run-cli.js';

describe('images save', () => {
  it('uses --docker-socket, else a unix:// DOCKER_HOST, else the default socket', () => {
    expect(localSocket({ dockerSocket: '/x.sock' }, { DOCKER_HOST: 'unix:///y.sock' })).toBe('/x.sock');
    expect(localSocket({}, { DOCKER_HOST: 'unix:///y.sock' })).toBe('/y.sock');
    expect(localSocket({}, { DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toBe('/var/run/docker.sock');
    expect(localSocket({}, {})).toBe('/var/run/docker.sock');
  });

  it('fails with a cause and a next step when no engine answers', async () => {
    const r = await runCli(['images', 'save', '/tmp/never-written.tar', '--docker-socket', '/nonexistent/docker.sock']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no Docker engine answers on /nonexistent/docker.sock (ENOENT)');
    expect(r.stderr).toContain('hint: start Docker on this machine, or name its socket with --docker-socket');
  });

  it('is listed in --help and requires a file', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}images /m);
    expect((await runCli(['images', 'save'])).code).toBe(2);
  });
});
