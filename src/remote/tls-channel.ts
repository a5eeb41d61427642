// TLS over a channel of a host's SSH session: the checks that speak to the front door as an agent
// on that host would, trusting only the CA the agents are given, and checking the name they dial.

import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** What a client trusts: the CA certificate (PEM) agents are given, never the system's CAs. */
export interface TlsTrust {
  ca: string;
}

/**
 * A TLS client over `channel` to `host`, offering `alpn`. The certificate must chain to `trust.ca`
 * and name `host` (a DNS name, or an IP address in its iPAddress names), as an agent checks it.
 */
export function tlsOver(channel: Duplex, host: string, trust: TlsTrust, alpn: string[]): tls.TLSSocket {
  return tls.connect({
    socket: channel,
    host,
    // SNI carries DNS names only (RFC 6066); an address is checked against the certificate's IPs.
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ca: trust.ca,
    ALPNProtocols: alpn,
    minVersion: 'TLSv1.2',
  });
}
