import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimOutput, localDocker } from '../../../src/commands/images.js';
import { runCli } from '../../support/run-cli.js';
import { closedPort } from '../../support/closed-port.js';

describe('images save', () => {
  it('uses --docker-socket, else a unix:// DOCKER_HOST, else the default socket', () => {
    expect(localDocker({ dockerSocket: '/x.sock' }, { DOCKER_HOST: 'unix:///y.sock' })).toEqual({
      socketPath: '/x.sock',
    });
    expect(localDocker({ dockerSocket: '/x.sock' }, { DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toEqual({
      socketPath: '/x.sock',
    });
    expect(localDocker({}, { DOCKER_HOST: 'unix:///y.sock' })).toEqual({ socketPath: '/y.sock' });
    expect(localDocker({}, {})).toEqual({ socketPath: '/var/run/docker.sock' });
  });

  it('reaches a tcp:// DOCKER_HOST over TCP, on port 2375 when none is given', () => {
    expect(localDocker({}, { DOCKER_HOST: 'tcp://10.0.0.1:2380' })).toEqual({ host: '10.0.0.1', port: 2380 });
    expect(localDocker({}, { DOCKER_HOST: 'tcp://docker.internal' })).toEqual({ host: 'docker.internal', port: 2375 });
    expect(localDocker({}, { DOCKER_HOST: 'tcp://[::1]:2375' })).toEqual({ host: '::1', port: 2375 });
  });

  it('refuses a tcp:// DOCKER_HOST with DOCKER_TLS_VERIFY, saying TLS is not supported yet', () => {
    expect(() => localDocker({}, { DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS_VERIFY: '1' })).toThrow(
      'DOCKER_HOST=tcp://10.0.0.1:2376 with DOCKER_TLS_VERIFY set: TLS to a Docker engine is not supported yet',
    );
  });

  it('refuses other DOCKER_HOST schemes instead of falling back to the local socket', () => {
    expect(() => localDocker({}, { DOCKER_HOST: 'ssh://me@builder' })).toThrow(
      /DOCKER_HOST=ssh:\/\/me@builder is not supported/,
    );
  });

  it('says that no engine answers on a tcp:// DOCKER_HOST, naming it', async () => {
    const port = await closedPort();
    const dir = mkdtempSync(join(tmpdir(), 'hp-images-'));
    const r = await runCli(['images', 'save', join(dir, 'images.tar')], {
      env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: no Docker engine answers on tcp://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with a cause and a next step when no engine answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-images-'));
    const r = await runCli([
      'images',
      'save',
      join(dir, 'never-written.tar'),
      '--docker-socket',
      '/nonexistent/docker.sock',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no Docker engine answers on /nonexistent/docker.sock (ENOENT)');
    expect(r.stderr).toContain('hint: start Docker on this machine, or name its socket with --docker-socket');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('checks that the archive can be written before reaching Docker', async () => {
    const r = await runCli([
      'images',
      'save',
      '/nonexistent-dir/images.tar',
      '--docker-socket',
      '/nonexistent/docker.sock',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: cannot write the archive /nonexistent-dir/images.tar: directory /nonexistent-dir does not exist',
    );
    expect(r.stderr).not.toContain('Docker engine');
  });

  it('refuses a directory, or a path under a file, as the archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-images-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'file'), '');
    await expect(claimOutput(join(dir, 'sub'))).rejects.toThrow(
      `cannot write the archive ${join(dir, 'sub')}: it is a directory`,
    );
    await expect(claimOutput(join(dir, 'file', 'images.tar'))).rejects.toThrow(
      `${join(dir, 'file')} is not a directory`,
    );
    const partial = await claimOutput(join(dir, 'images.tar'));
    expect(readdirSync(dir)).toContain(partial.slice(dir.length + 1));
  });

  it('is listed in --help and requires a file', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}images /m);
    expect((await runCli(['images', 'save'])).code).toBe(2);
  });
});
