// What the stack should look like on these hosts, for install (to plan) and status (to find drift):
// the addresses the tiers reach each other at, the rendered files and the container specs. One
// function for both, so status judges drift against exactly what install would apply.

import type { Topology } from '../config/topology.js';
import type { Inventory } from '../hosts/inventory.js';
import { renderContext, type FrontDoor, type TenantCredentials } from '../render/context.js';
import { renderStack, type RenderedStack } from '../render/render.js';
import type { InstallState } from '../state/state-file.js';
import { containerSpecs, type ContainerSpec } from './container-spec.js';
import { resolveFrom } from './remote-facts.js';

/** Addresses the tiers reach each other at (resolved where the traffic starts). */
export interface TierAddresses {
  web: string;
  app: string;
  db: string;
}

export interface DesiredStack {
  stack: RenderedStack;
  specs: ContainerSpec[];
}

/**
 * Each address as the tier that uses it sees it: web reaches app, app reaches db. `lenient` keeps a
 * name that cannot be resolved (status reports; install must refuse).
 */
export async function tierAddresses(topology: Topology, hosts: Inventory, lenient = false): Promise<TierAddresses> {
  const web = hosts.forTier('web');
  const app = hosts.forTier('app');
  const resolve = (from: typeof web, name: string) =>
    lenient && !from.connection
      ? Promise.resolve(name)
      : resolveFrom(from, name).catch((e: unknown) => (lenient ? name : Promise.reject(e)));
  return {
    web: await resolve(web, topology.web.host),
    app: await resolve(web, topology.app.host),
    db: await resolve(app, topology.db.host),
  };
}

/**
 * The names the door's certificate carries: the web host as the config names it, its address, and
 * the names agents also dial it by (`frontDoor.names`).
 */
export function frontDoorNames(
  topology: Pick<Topology, 'web' | 'frontDoorNames'>,
  addresses: Pick<TierAddresses, 'web'>,
): string[] {
  return [...new Set([topology.web.host, addresses.web, ...topology.frontDoorNames])];
}

/** What a client of the door trusts: the CA agents are given; null for a plain door. */
export function doorTrust(
  topology: Pick<Topology, 'frontDoorTls'>,
  secrets: Pick<InstallState['secrets'], 'frontDoorTls'> | null,
): { ca: string } | null {
  if (topology.frontDoorTls === 'off' || !secrets?.frontDoorTls) return null;
  return { ca: secrets.frontDoorTls.caCertificate };
}

/** The door's tenants with their passwords (withTenantPasswords made them); null without authentication. */
export function tenantCredentials(
  topology: Pick<Topology, 'frontDoorAuth' | 'tenants'>,
  secrets: Pick<InstallState['secrets'], 'tenantPasswords'>,
): TenantCredentials[] | null {
  if (topology.frontDoorAuth === 'none') return null;
  return topology.tenants.map((name) => {
    const password = secrets.tenantPasswords?.[name];
    if (password === undefined) throw new Error(`tenant ${name} has no password yet (withTenantPasswords makes it)`);
    return { name, password };
  });
}

export function desiredStack(
  topology: Topology,
  addresses: TierAddresses,
  secrets: InstallState['secrets'],
  frontDoor: FrontDoor,
): DesiredStack {
  const stack = renderStack(
    renderContext({
      hosts: addresses,
      grafanaPort: topology.grafanaPort,
      minio: { accessKey: secrets.minioAccessKey, secretKey: secrets.minioSecretKey },
      grafanaAdmin: { user: secrets.grafanaAdminUser, password: secrets.grafanaAdminPassword },
      frontDoor,
      retention: topology.retention,
      consolesPublished: topology.consolesPublished,
      restrictFlows: topology.restrictFlows,
      // Without material yet (a state from before TLS) the door renders plain: install makes it.
      tls: topology.frontDoorTls === 'off' ? null : (secrets.frontDoorTls ?? null),
      tenants: tenantCredentials(topology, secrets),
      otlpHttp: topology.otlpHttp,
    }),
  );
  return { stack, specs: containerSpecs(stack, topology.images, topology.containers) };
}
