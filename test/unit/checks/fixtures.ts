// Builders for machine states and facts, so each check test states only what matters to it.
import { Host } from '../../../src/hosts/host.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import type { HostSpec } from '../../../src/config/topology.js';
import type { ContainerSummary } from '../../../src/remote/index.js';
import type { Tier } from '../../../src/stack/manifest.js';

export function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    arch: 'x86_64',
    cpus: 4,
    cpuFlags: ['fpu', 'cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'],
    memTotalMiB: 8192,
    memAvailableMiB: 6000,
    clockSkewSeconds: 0,
    filesystems: [
      { mount: '/', availableKiB: 50 * 1024 * 1024 },
      { mount: '/var/lib/docker', availableKiB: 40 * 1024 * 1024 },
    ],
    listeners: [{ address: '0.0.0.0', port: 22, process: 'sshd (pid 1)' }],
    user: { uid: 0, name: 'root' },
    docker: {
      version: '24.0.7',
      apiVersion: '1.43',
      rootDir: '/var/lib/docker',
      labels: [],
      mirrors: [],
      containers: [],
      imageTags: [],
    },
    guard: { hostname: 'host-01', variables: [], markerFiles: [], dockerLabels: [], unreadable: [] },
    ...over,
  };
}

/** A host serving `tiers`, with the default facts unless `over` says otherwise. */
export function machine(
  name: string,
  tiers: Tier[],
  over: Partial<Pick<Host, 'facts' | 'connectError' | 'connection'>> = {},
): Host {
  const entries: HostSpec[] = tiers.map((tier) => ({
    tier,
    name,
    host: `${name}.lab`,
    ssh: { user: 'root', port: 22, agent: false, knownHostsFile: '/k' },
    dockerSocket: '/var/run/docker.sock',
  }));
  const host = new Host(entries);
  host.facts = 'facts' in over ? over.facts : facts();
  if (over.connectError) host.connectError = over.connectError;
  if (over.connection) host.connection = over.connection;
  return host;
}

export function container(
  name: string,
  port: number,
  labels: Record<string, string> = {},
  image = 'busybox',
): ContainerSummary {
  return {
    id: `${name}-id-000000000000`,
    name,
    image,
    imageId: 'sha256:0',
    labels,
    state: 'running',
    publishedPorts: [port],
  };
}
