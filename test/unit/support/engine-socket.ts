// A stand-in Docker engine for unit tests: an HTTP server on a Unix socket in a fresh temp dir,
// listening while the test file runs and removed after it; and the frames of Docker's multiplexed
// log stream, as the engine writes them.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** One frame of the engine's multiplexed stream: 1 stdout, 2 stderr; 8-byte header, then the payload. */
export function dockerFrame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Serves `handler` on a Unix socket for the calling test file (beforeAll/afterAll); its path. */
export function engineSocket(handler: http.RequestListener): { socketPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'heal-engine-'));
  const socketPath = join(dir, 'engine.sock');
  const server = http.createServer(handler);
  beforeAll(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  return { socketPath };
}
