// Host addresses as they appear in rendered files: checks what an operator may give (a DNS name,
// IPv4 or IPv6) and writes `host:port` the way S3 clients and HAProxy both read it.

import { isIP } from 'node:net';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

/** Why `address` is not usable as a host address, or null when it is. */
export function addressProblem(address: string): string | null {
  if (address.length === 0) return 'is empty';
  if (isIP(address) !== 0) return null;
  if (/^\[.*\]$/.test(address)) return 'must be an IPv6 address without brackets';
  if (!HOSTNAME.test(address)) return 'is neither an IP address nor a DNS name';
  return null;
}

/** `host:port`, with IPv6 literals in brackets (`[2001:db8::1]:9000`). */
export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
