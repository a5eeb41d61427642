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

/** How these helpers run the CLI (test/support/run-cli.ts's runCli). */
type RunCli = (
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The CA a TLS door's clients trust, as `agents --json` prints it for the config at `configPath`. */
export async function doorCa(runCli: RunCli, topo: { dir: string; path: string }): Promise<TlsTrust> {
  const r = await runCli(['--json', 'agents', '--config', topo.path], { cwd: topo.dir, env: { CI: 'true' } });
  if (r.code !== 0) throw new Error(`agents --json failed: ${r.stderr}`);
  const ca = (JSON.parse(r.stdout) as { frontDoor: { caCertificate: string | null } }).frontDoor.caCertificate;
  if (!ca) throw new Error('agents --json printed no CA: is frontDoor.tls off?');
  return { ca };
}

/** A tenant's credentials as `agents --json --show-secrets` prints them, and the header agents send. */
export interface DoorTenant {
  name: string;
  password: string;
  /** `Basic base64(name:password)`: what every push through the door carries. */
  authorization: string;
}

/** Each tenant's credentials, as `agents --json --show-secrets` prints them for the config at `topo.path`. */
export async function doorTenants(runCli: RunCli, topo: { dir: string; path: string }): Promise<DoorTenant[]> {
  const r = await runCli(['--json', 'agents', '--show-secrets', '--config', topo.path], {
    cwd: topo.dir,
    env: { CI: 'true' },
  });
  if (r.code !== 0) throw new Error(`agents --json --show-secrets failed: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { tenants: Array<{ username: string; password: string | null }> };
  return doc.tenants.map((t) => {
    if (!t.password) throw new Error(`agents --show-secrets printed no password for ${t.username}`);
    return {
      name: t.username,
      password: t.password,
      authorization: `Basic ${Buffer.from(`${t.username}:${t.password}`).toString('base64')}`,
    };
  });
}
