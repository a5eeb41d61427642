import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { localEngine } from '../../../src/remote/image-transfer.js';

describe('local Docker engine for images save', () => {
  it('talks plain HTTP to an engine on tcp://HOST:PORT', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as { port: number };
      await localEngine({ host: '127.0.0.1', port });
      expect(seen).toEqual([expect.stringMatching(/^GET .*\/_ping$/)]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
