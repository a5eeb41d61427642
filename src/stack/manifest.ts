// The stack manifest: the single source of truth for what heal-pyroscope installs, where, and which
// network flows it needs. Pure data; prompts, checks, phases, templates and the README table read it.

export type Tier = 'target' | 'web' | 'app' | 'db';
export const TIERS: readonly Tier[] = ['target', 'web', 'app', 'db'];
/** Tiers that run containers (targets only run the profiled applications). */
export const SERVER_TIERS: readonly Exclude<Tier, 'target'>[] = ['web', 'app', 'db'];

export type ComponentName = 'minio' | 'pyroscope' | 'tempo' | 'grafana' | 'haproxy';
export type Protocol = 'http' | 'grpc' | 'http+grpc';

/** Stable names of the ports, `component.role`: code looks ports up by these, never by number or prose. */
export type PortId =
  | 'minio.s3'
  | 'minio.console'
  | 'pyroscope.http'
  | 'tempo.otlp-grpc'
  | 'tempo.otlp-http'
  | 'tempo.jaeger-grpc'
  | 'tempo.http'
  | 'grafana.http'
  | 'haproxy.front-door';

export interface PortSpec {
  id: PortId;
  port: number;
  protocol: Protocol;
  purpose: string;
  /** A port only this setting opens (published, and its flow added); absent: always. */
  optIn?: 'frontDoor.otlpHttp';
}

/** The settings that open opt-in ports. */
export interface StackOptions {
  /** `frontDoor.otlpHttp`: Tempo's OTLP HTTP receiver, and the flow web -> app 4318. */
  otlpHttp: boolean;
}

function opened(p: PortSpec, options: StackOptions): boolean {
  return p.optIn === undefined || (p.optIn === 'frontDoor.otlpHttp' && options.otlpHttp);
}

export interface HealthCheck {
  port: number;
  path: string;
}

export interface Component {
  name: ComponentName;
  title: string;
  /** Registry host when it is not Docker Hub, e.g. `quay.io`. */
  registry?: string;
  /** Repository without registry host, e.g. `grafana/pyroscope`. */
  repository: string;
  /** Exact tag; never `latest`. */
  tag: string;
  tier: Exclude<Tier, 'target'>;
  ports: readonly PortSpec[];
  health: HealthCheck;
  /** Container user as `uid:gid`; bind-mounted data must be owned by it. */
  user: string;
  /** Path inside the container that holds the component's data (a named volume). */
  dataPath: string | null;
  /** Start order: lower first (MinIO before its clients, HAProxy last). */
  order: number;
  /** Documented minimums for the host that runs it (preflight adds up a host's components). */
  minimum: { memoryMiB: number; diskGiB: number; cpus: number };
  /** The amd64 build needs this CPU level (the container dies at start on an older CPU model). */
  amd64Level?: 'x86-64-v2';
}

export const COMPONENTS: readonly Component[] = [
  {
    name: 'minio',
    title: 'MinIO (S3 object storage)',
    // Docker Hub deleted minio/minio on 2026-09-12; quay.io serves the same tags (same image IDs).
    registry: 'quay.io',
    repository: 'minio/minio',
    tag: 'RELEASE.2025-06-13T11-33-47Z',
    tier: 'db',
    ports: [
      { id: 'minio.s3', port: 9000, protocol: 'http', purpose: 'S3 API' },
      { id: 'minio.console', port: 9001, protocol: 'http', purpose: 'console, object browser only' },
    ],
    health: { port: 9000, path: '/minio/health/live' },
    user: '0:0',
    dataPath: '/data',
    order: 10,
    minimum: { memoryMiB: 1024, diskGiB: 10, cpus: 1 },
    // The release image is UBI9-based; RHEL 9 userland is built for x86-64-v2.
    amd64Level: 'x86-64-v2',
  },
  {
    name: 'pyroscope',
    title: 'Grafana Pyroscope (profiles)',
    repository: 'grafana/pyroscope',
    tag: '1.14.0',
    tier: 'app',
    ports: [{ id: 'pyroscope.http', port: 4040, protocol: 'http+grpc', purpose: 'HTTP API, ingest and connect/gRPC' }],
    health: { port: 4040, path: '/ready' },
    user: '10001:10001',
    dataPath: '/data',
    order: 20,
    minimum: { memoryMiB: 1024, diskGiB: 5, cpus: 1 },
    // .goreleaser.yaml builds amd64 with `goamd64: v2`.
    amd64Level: 'x86-64-v2',
  },
  {
    name: 'tempo',
    title: 'Grafana Tempo (traces)',
    repository: 'grafana/tempo',
    tag: '2.8.1',
    tier: 'app',
    ports: [
      { id: 'tempo.otlp-grpc', port: 4317, protocol: 'grpc', purpose: 'OTLP gRPC receiver' },
      { id: 'tempo.jaeger-grpc', port: 14250, protocol: 'grpc', purpose: 'Jaeger gRPC receiver' },
      {
        id: 'tempo.otlp-http',
        port: 4318,
        protocol: 'http',
        purpose: 'OTLP HTTP receiver, with frontDoor.otlpHttp',
        optIn: 'frontDoor.otlpHttp',
      },
      { id: 'tempo.http', port: 3200, protocol: 'http', purpose: 'HTTP API' },
    ],
    health: { port: 3200, path: '/ready' },
    user: '10001:10001',
    dataPath: '/var/tempo',
    order: 20,
    minimum: { memoryMiB: 1024, diskGiB: 5, cpus: 1 },
  },
  {
    name: 'grafana',
    title: 'Grafana (UI, provisioned data sources)',
    repository: 'grafana/grafana',
    tag: '12.2.1',
    tier: 'app',
    ports: [{ id: 'grafana.http', port: 3000, protocol: 'http', purpose: 'web UI' }],
    health: { port: 3000, path: '/api/health' },
    user: '472:0',
    dataPath: '/var/lib/grafana',
    order: 30,
    minimum: { memoryMiB: 256, diskGiB: 1, cpus: 0.5 },
  },
  {
    name: 'haproxy',
    title: 'HAProxy (front door for agents)',
    repository: 'haproxy',
    tag: '3.2.4',
    tier: 'web',
    ports: [
      {
        id: 'haproxy.front-door',
        port: 9940,
        protocol: 'http+grpc',
        purpose: 'front door: profiles and traces from targets',
      },
    ],
    health: { port: 9940, path: '/healthz' },
    user: '99:99',
    dataPath: null,
    order: 40,
    minimum: { memoryMiB: 128, diskGiB: 1, cpus: 0.5 },
  },
];

export interface Flow {
  from: Tier;
  to: Tier;
  ports: readonly number[];
  why: string;
}

export const FLOWS: readonly Flow[] = [
  {
    from: 'target',
    to: 'web',
    ports: [port('haproxy.front-door')],
    why: 'agents send profiles and traces to the front door',
  },
  {
    from: 'web',
    to: 'app',
    ports: [port('pyroscope.http'), port('tempo.otlp-grpc'), port('tempo.jaeger-grpc'), port('tempo.http')],
    why: 'HAProxy forwards to Pyroscope and Tempo',
  },
  { from: 'app', to: 'db', ports: [port('minio.s3')], why: 'Pyroscope and Tempo store objects in MinIO' },
];

/** The ports of `c` the settings open: every port but an opt-in one not asked for. */
export function portsOf(c: Component, options: StackOptions): PortSpec[] {
  return c.ports.filter((p) => opened(p, options));
}

/** The flows of the stack with these settings: FLOWS, and web -> app 4318 with `frontDoor.otlpHttp`. */
export function flowsFor(options: StackOptions): readonly Flow[] {
  if (!options.otlpHttp) return FLOWS;
  return FLOWS.map((f) =>
    f.from === 'web' && f.to === 'app' ? { ...f, ports: [...f.ports, port('tempo.otlp-http')] } : f,
  );
}

/** Label keys put on everything the installer creates; uninstall removes only what carries them. */
export const LABELS = {
  product: 'io.heal-pyroscope.product',
  component: 'io.heal-pyroscope.component',
  version: 'io.heal-pyroscope.version',
  specHash: 'io.heal-pyroscope.spec-hash',
  /** On a data volume: the install run that created it (a later undo removes only that very volume). */
  createdBy: 'io.heal-pyroscope.created-by-run',
} as const;
export const PRODUCT = 'heal-pyroscope';
export const CONTAINER_PREFIX = 'heal-pyroscope-';
export const NETWORK_NAME = 'heal-pyroscope';

export function component(name: ComponentName): Component {
  const found = COMPONENTS.find((c) => c.name === name);
  if (!found) throw new Error(`unknown component ${name}`);
  return found;
}

/** The number of a port, by its id: `port('minio.console')` is 9001. */
export function port(id: PortId): number {
  const found = COMPONENTS.flatMap((c) => c.ports).find((p) => p.id === id);
  if (!found) throw new Error(`manifest has no port ${id}`);
  return found.port;
}

export function componentsOn(tier: Tier): Component[] {
  return COMPONENTS.filter((c) => c.tier === tier).sort((a, b) => a.order - b.order);
}

export function containerName(c: Component): string {
  return `${CONTAINER_PREFIX}${c.name}`;
}

/** The one port of a component that the config may move (`grafana.port`). */
const CONFIGURABLE_PORT: Partial<Record<ComponentName, PortId>> = { grafana: 'grafana.http' };

/** Ports that must be free on a tier before install (Grafana's port may be configured; opt-in ports when asked for). */
export function listenPorts(
  tier: Tier,
  overrides: Partial<Record<ComponentName, number>> = {},
  options: StackOptions = { otlpHttp: false },
): number[] {
  return componentsOn(tier).flatMap((c) => {
    const moved = overrides[c.name];
    return portsOf(c, options).map((p) => (p.id === CONFIGURABLE_PORT[c.name] && moved !== undefined ? moved : p.port));
  });
}

/** Default memory limit of a component's container: twice its documented minimum. */
export function defaultMemoryLimitMiB(c: Component): number {
  return c.minimum.memoryMiB * 2;
}

/** What one machine needs for the tiers it serves (web, app and db may share a machine). */
export function minimumFor(tiers: readonly Tier[]): { memoryMiB: number; diskGiB: number; cpus: number } {
  const parts = COMPONENTS.filter((c) => tiers.includes(c.tier)).map((c) => c.minimum);
  return {
    memoryMiB: parts.reduce((sum, m) => sum + m.memoryMiB, 0),
    diskGiB: parts.reduce((sum, m) => sum + m.diskGiB, 0),
    cpus: Math.max(1, Math.ceil(parts.reduce((sum, m) => sum + m.cpus, 0))),
  };
}
