// Engine.logStream against an engine on a local Unix socket that answers as Docker does: the query
// it sends (timestamps always, tail, since, follow), a log streamed in pieces, a missing container.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDockerClient } from '../../../src/remote/docker-client.js';
import { DockerEngine } from '../../../src/remote/docker-engine.js';
import { LogDecoder, type DecodedLine } from '../../../src/remote/docker-stream.js';
import { dockerFrame, engineSocket } from '../support/engine-socket.js';

const queries: URLSearchParams[] = [];
const body = Buffer.concat([
  dockerFrame(1, '2026-11-25T14:00:00.000000001Z started\n'),
  dockerFrame(2, '2026-11-25T14:00:01.5Z warning: low memory\n'),
  dockerFrame(1, '2026-11-25T14:00:02Z ready\n'),
]);

const { socketPath } = engineSocket((req, res) => {
  const url = new URL(req.url ?? '/', 'http://engine');
  const path = url.pathname.replace(/^\/v[\d.]+/, '');
  req.resume();
  if (path === '/containers/talker/json' || path === '/containers/tty/json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(
      JSON.stringify({
        Id: 'c0ffee',
        Name: path.split('/')[2],
        Config: { Tty: path.includes('tty'), Labels: {} },
        State: { Running: true },
      }),
    );
  }
  if (path === '/containers/talker/logs') {
    queries.push(url.searchParams);
    res.writeHead(200, { 'content-type': 'application/vnd.docker.multiplexed-stream' });
    // In pieces cut through headers and payloads, as a network delivers them.
    const pieces = [body.subarray(0, 5), body.subarray(5, 30), body.subarray(30)];
    const next = () => {
      const piece = pieces.shift();
      if (!piece) return res.end();
      res.write(piece);
      setTimeout(next, 10);
    };
    return next();
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: `No such container: ${path.split('/')[2]}` }));
});

const docker = new DockerEngine(
  createDockerClient(async () => net.connect(socketPath), '/var/run/docker.sock'),
  'app-01',
);

describe("the engine's log stream", () => {
  it('asks for timestamps, the tail and since, and streams the log in pieces that decode to whole lines', async () => {
    const log = await docker.logStream('talker', { follow: false, tail: 3, since: 1764079200 });
    expect(log).toBeDefined();
    expect(log!.multiplexed).toBe(true);
    const decoder = new LogDecoder(log!.multiplexed);
    const lines: DecodedLine[] = [];
    let chunks = 0;
    for await (const chunk of log!.stream) {
      chunks++;
      lines.push(...decoder.push(chunk as Buffer));
    }
    lines.push(...decoder.end());
    expect(chunks).toBeGreaterThan(1);
    expect(lines).toEqual([
      { stream: 'stdout', time: '2026-11-25T14:00:00.000000001Z', line: 'started' },
      { stream: 'stderr', time: '2026-11-25T14:00:01.5Z', line: 'warning: low memory' },
      { stream: 'stdout', time: '2026-11-25T14:00:02Z', line: 'ready' },
    ]);
    const query = queries.at(-1)!;
    expect(Object.fromEntries(query)).toMatchObject({
      stdout: 'true',
      stderr: 'true',
      timestamps: 'true',
      tail: '3',
      since: '1764079200',
      follow: 'false',
    });
  });

  it('answers undefined for a container that does not exist', async () => {
    expect(await docker.logStream('missing', { follow: false })).toBeUndefined();
  });
});
