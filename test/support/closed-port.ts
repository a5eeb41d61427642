// A loopback port nothing listens on: bound by the kernel's choice, then released. Tests point a
// jump host or an engine at it, so a connection is refused at once and nothing else is contacted.
import { createServer } from 'node:net';

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
