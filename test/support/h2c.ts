// An HTTP/2 cleartext (h2c) client session that opens its TCP connection from a lab host: the
// connection is a forwardOut channel of that host's SSH session, so the server sees the lab host's
// address as the source, as it would an agent's there. The front door answers only targets, so
// h2c tests reach it this way rather than from the test runner's own address.

import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import type { SshSession } from '../../src/remote/index.js';

export async function h2cFrom(session: SshSession, host: string, port: number): Promise<http2.ClientHttp2Session> {
  const channel: Duplex = await session.forwardOut(host, port);
  return http2.connect(`http://${host}:${port}`, { createConnection: () => channel });
}
