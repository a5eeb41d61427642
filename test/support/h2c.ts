// An HTTP/2 client session that opens its TCP connection from a lab host: the connection is a
// forwardOut channel of that host's SSH session, so the server sees the lab host's address as the
// source, as it would an agent's there. The front door answers only targets, so HTTP/2 tests reach
// it this way rather than from the test runner's own address. With `trust`, the session speaks TLS
// (ALPN h2) and checks the door's certificate against that CA and `host`, as an agent does; without
// it, cleartext HTTP/2 with prior knowledge (h2c, a door with `frontDoor.tls: off`).

import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { tlsOver, type SshSession, type TlsTrust } from '../../src/remote/index.js';

export async function h2From(
  session: SshSession,
  host: string,
  port: number,
  trust?: TlsTrust,
): Promise<http2.ClientHttp2Session> {
  const channel: Duplex = await session.forwardOut(host, port);
  return trust
    ? http2.connect(`https://${host}:${port}`, { createConnection: () => tlsOver(channel, host, trust, ['h2']) })
    : http2.connect(`http://${host}:${port}`, { createConnection: () => channel });
}

/** The CA a TLS door's clients trust, as `agents --json` prints it for the config at `configPath`. */
export async function doorCa(
  runCli: (
    args: string[],
    opts: { cwd: string; env?: Record<string, string> },
  ) => Promise<{ code: number; stdout: string; stderr: string }>,
  topo: { dir: string; path: string },
): Promise<TlsTrust> {
  const r = await runCli(['--json', 'agents', '--config', topo.path], { cwd: topo.dir, env: { CI: 'true' } });
  if (r.code !== 0) throw new Error(`agents --json failed: ${r.stderr}`);
  const ca = (JSON.parse(r.stdout) as { frontDoor: { caCertificate: string | null } }).frontDoor.caCertificate;
  if (!ca) throw new Error('agents --json printed no CA: is frontDoor.tls off?');
  return { ca };
}
