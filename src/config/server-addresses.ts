// Web, app and db addresses end up inside container configs (HAProxy's backends, the S3
// endpoints), where a loopback address means the container itself: refuse those before any host
// is contacted. Pure.
import { isIP } from 'node:net';
import type { HostSpec, Topology } from './topology.js';

/** Why `host` cannot be put in a container's config, or null. */
export function serverAddressProblem(host: string): string | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost'))
    return `${host} is a loopback name: containers would reach themselves`;
  if (isIP(name) === 4) {
    if (name.startsWith('127.')) return `${host} is a loopback address: containers would reach themselves`;
    if (name === '0.0.0.0') return `${host} is the unspecified address: containers would reach themselves`;
    return null;
  }
  if (isIP(name) === 6) {
    if (name === '::1' || /^::ffff:127\./.test(name) || /^(0+:){7}0*1$/.test(name))
      return `${host} is a loopback address: containers would reach themselves`;
    if (name === '::') return `${host} is the unspecified address: containers would reach themselves`;
    // The lab that proves the product has no IPv6; refused rather than shipped untested.
    return `${host} is an IPv6 address, which heal-pyroscope does not support for web, app and db yet`;
  }
  return null;
}

export const SERVER_ADDRESS_REMEDY =
  "use the host's address on the network the other hosts share (an IPv4 address or a DNS name that resolves " +
  'to one), not loopback';

export interface ServerAddressProblem {
  host: HostSpec;
  problem: string;
}

export function serverAddressProblems(topology: Pick<Topology, 'web' | 'app' | 'db'>): ServerAddressProblem[] {
  return [topology.web, topology.app, topology.db].flatMap((host) => {
    const problem = serverAddressProblem(host.host);
    return problem ? [{ host, problem: `hosts.${host.tier}: ${problem}` }] : [];
  });
}
