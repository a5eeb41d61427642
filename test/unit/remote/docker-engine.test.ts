import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDockerClient } from '../../../src/remote/docker-client.js';
import { DockerEngine } from '../../../src/remote/docker-engine.js';
import { demux } from '../../../src/remote/docker-stream.js';
import { dockerFrame, engineSocket } from '../support/engine-socket.js';

// An engine on a local Unix socket that answers as Docker does for the cases the Engine interprets.

const routes: Record<string, [number, unknown]> = {
  'GET /containers/missing/json': [404, { message: 'No such container: missing' }],
  'POST /containers/up/start': [304, undefined],
  'POST /containers/up/stop': [304, undefined],
  'POST /containers/gone/stop': [404, { message: 'No such container: gone' }],
  'DELETE /containers/gone': [404, { message: 'No such container: gone' }],
  'DELETE /images/in-use:1': [
    409,
    {
      message:
        'conflict: unable to remove repository reference "in-use:1" (must force) - container 0123 is using its referenced image 4567',
    },
  ],
  'DELETE /images/absent:1': [404, { message: 'No such image: absent:1' }],
  'DELETE /images/unused:1': [200, [{ Untagged: 'unused:1' }]],
  'POST /containers/create': [500, { message: 'Conflict. The container name "/x" is already in use' }],
  'GET /images/absent:1/json': [404, { message: 'No such image: absent:1' }],
  'GET /volumes/data': [404, { message: 'get data: no such volume' }],
  'POST /volumes/create': [
    201,
    {
      Name: 'data',
      Labels: { 'io.heal-pyroscope.product': 'heal-pyroscope' },
      CreatedAt: '2026-11-25T18:00:00Z',
      Driver: 'local',
    },
  ],
};
const seen: string[] = [];
// Once created, the volume inspects as Docker shows it.
const afterCreate: Record<string, [number, unknown]> = {
  'GET /volumes/data': [200, routes['POST /volumes/create']![1]],
};
const { socketPath } = engineSocket((req, res) => {
  const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').replace(/\?.*$/, '');
  seen.push(`${req.method} ${path}`);
  req.resume();
  if (path === '/containers/talker/logs') {
    res.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream' });
    return res.end(
      Buffer.concat([dockerFrame(1, 'started\n'), dockerFrame(2, 'warning: low memory\n'), dockerFrame(1, 'ready\n')]),
    );
  }
  const key = `${req.method} ${path}`;
  const [status, body] = (seen.includes('POST /volumes/create') ? afterCreate[key] : undefined) ??
    routes[key] ?? [500, { message: `no route for ${key}` }];
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
});

const docker = new DockerEngine(
  createDockerClient(async () => net.connect(socketPath), '/var/run/docker.sock'),
  'web-01',
);

describe('DockerEngine: what Docker answers, as values', () => {
  it('inspects a missing container as undefined', async () => {
    expect(await docker.inspectContainer('missing')).toBeUndefined();
  });

  it("starts or stops a container already in that state (304) as 'already-running' or 'already-stopped'", async () => {
    expect(await docker.startContainer('up')).toBe('already-running');
    expect(await docker.stopContainer('up')).toBe('already-stopped');
  });

  it("stops or removes a container that is gone (404) as 'absent'", async () => {
    expect(await docker.stopContainer('gone')).toBe('absent');
    expect(await docker.removeContainer('gone')).toBe('absent');
  });

  it("tells an image removed, in use (409, with Docker's words) and absent (404) apart", async () => {
    expect(await docker.removeImage('unused:1')).toEqual({ result: 'removed' });
    expect(await docker.removeImage('in-use:1')).toEqual({
      result: 'in-use',
      detail: expect.stringContaining('(must force) - container 0123 is using its referenced image'),
    });
    expect(await docker.removeImage('absent:1')).toEqual({ result: 'absent' });
    expect(await docker.inspectImage('absent:1')).toBeUndefined();
  });

  it('creates a volume only when it is missing, and tells when the engine made it', async () => {
    expect(await docker.ensureVolume('data', { 'io.heal-pyroscope.product': 'heal-pyroscope' })).toEqual({
      name: 'data',
      labels: { 'io.heal-pyroscope.product': 'heal-pyroscope' },
      created: true,
    });
    expect(seen).toContain('POST /volumes/create');
    expect(await docker.ensureVolume('data', {})).toEqual({
      name: 'data',
      labels: { 'io.heal-pyroscope.product': 'heal-pyroscope' },
      created: false,
    });
  });

  it('turns any other failure into a HealError naming the host, what was being done and why', async () => {
    await expect(docker.createContainer({ name: 'x', Image: 'busybox' })).rejects.toMatchObject({
      code: 'docker.api',
      message:
        'Docker engine on web-01 could not create container x: Conflict. The container name "/x" is already in use',
    });
  });

  it('reads a log as one text, both streams in the order they came', async () => {
    expect(await docker.containerLogs('talker', 20)).toBe('started\nwarning: low memory\nready\n');
  });
});

describe('demux', () => {
  it('splits stdout and stderr frames and keeps their order in all', () => {
    expect(demux(Buffer.concat([dockerFrame(1, 'a'), dockerFrame(2, 'b'), dockerFrame(1, 'c')]))).toEqual({
      stdout: 'ac',
      stderr: 'b',
      all: 'abc',
    });
  });

  it('takes a stream that is not multiplexed (a TTY container) as plain output', () => {
    expect(demux(Buffer.from('plain text\n'))).toEqual({ stdout: 'plain text\n', stderr: '', all: 'plain text\n' });
  });
});
