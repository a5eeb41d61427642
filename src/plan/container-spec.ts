// What each container must look like, as data: built from the renderer's wiring exactly, hashed
// over everything that shapes it (image, command, env, mounts with their files' content, ports,
// network, restart policy), and turned into the Docker API's create options. Pure.

import { createHash } from 'node:crypto';
import { LOOPBACK, type PortPublish, type RenderedStack } from '../render/render.js';
import type { RenderedFile } from '../render/rendered-file.js';
import type { ContainerLimits } from '../config/topology.js';
import type { ContainerCreateBody, ContainerMount } from '../remote/index.js';
import {
  component,
  containerName,
  LABELS,
  NETWORK_NAME,
  port,
  PRODUCT,
  type ComponentName,
} from '../stack/manifest.js';
import { tierDir } from '../core/host-paths.js';

/** MinIO's command is the installer's (the renderer leaves it out): one drive, and its console port. */
export const MINIO_COMMAND = ['server', '/data', '--console-address', `:${port('minio.console')}`] as const;
export const RESTART_POLICY = 'unless-stopped';
const MIB = 1024 * 1024;

export interface ContainerSpec {
  name: string;
  component: ComponentName;
  tier: RenderedFile['tier'];
  image: string;
  /** Replaces the image's CMD; null keeps it. */
  cmd: string[] | null;
  env: Record<string, string>;
  binds: Array<{ source: string; target: string; readOnly: boolean }>;
  /** The named data volume, kept by rollback and by uninstall without --purge. */
  volume: { name: string; target: string } | null;
  ports: PortPublish[];
  network: string;
  restart: string;
  /** json-file logs, rotated: at most maxFiles files of maxSize each. */
  logs: { maxSize: string; maxFiles: number };
  /** Memory limit in MiB; null for none. */
  memoryLimitMiB: number | null;
  /** Every capability dropped, these added back; no process may gain privileges (setuid, file caps). */
  security: { noNewPrivileges: true; capDrop: ['ALL']; capAdd: string[] };
  /** A read-only root filesystem with these tmpfs mounts, or null for the image's writable one. */
  readOnlyRoot: { tmpfs: string[] } | null;
  /**
   * sha256 of each mounted file: a changed file must recreate the container, because a
   * single-file bind mount keeps showing the old inode after the file is replaced by rename.
   */
  fileHashes: Record<string, string>;
}

/**
 * The capabilities each component gets back after `CapDrop: ALL`: none. Pyroscope and Tempo run as
 * uid 10001, Grafana as 472 and HAProxy as its `haproxy` user (the images' USER), each binding ports
 * above 1024 and writing only its own volume and files, which needs no capability. MinIO runs as
 * root in its image, reading root-owned credential files and writing its root-owned volume: a
 * process reaches its own files without CAP_DAC_OVERRIDE or CAP_CHOWN, and port 9000 is above 1024.
 */
export const CAPABILITIES_ADDED: Readonly<Record<ComponentName, readonly string[]>> = {
  minio: [],
  pyroscope: [],
  tempo: [],
  grafana: [],
  haproxy: [],
};

/**
 * Which components run on a read-only root filesystem, and what they get written instead: each
 * writes only its volume, the image's own volumes and, where said, a small tmpfs. Checked at the
 * pinned tags:
 * - Pyroscope 1.14.0 (cmd/pyroscope/Dockerfile, WORKDIR /): `./data` is its volume, the compactor's
 *   `./data-compactor` an anonymous volume the image declares; the operations UI lists blocks
 *   through `os.TempDir()`, so /tmp.
 * - Tempo 2.8.1: every default path is under /var/tempo, its volume (WAL, blocks); /tmp for Go's
 *   temporary files.
 * - HAProxy 3.2: our configuration names no pid file, socket or chroot; it logs to stdout.
 * Left writable: Grafana (its image points logs, plugins and provisioning at paths outside the
 * volume, not all checked here) and MinIO (install runs `mc` in it with a config directory in
 * /tmp, and MinIO's own start-up writes were not checked at the pinned release).
 */
export const READ_ONLY_ROOT: Readonly<Record<ComponentName, { tmpfs: readonly string[] } | null>> = {
  minio: null,
  pyroscope: { tmpfs: ['/tmp'] },
  tempo: { tmpfs: ['/tmp'] },
  grafana: null,
  haproxy: { tmpfs: [] },
};

function readOnlyRoot(name: ComponentName): ContainerSpec['readOnlyRoot'] {
  const root = READ_ONLY_ROOT[name];
  return root ? { tmpfs: [...root.tmpfs] } : null;
}

/** A tmpfs for temporary files: world-writable with the sticky bit (any container user), no exec, bounded. */
export const TMPFS_OPTIONS = 'rw,noexec,nosuid,nodev,size=64m,mode=1777';

export function volumeName(name: ComponentName): string {
  return `${containerName(component(name))}-data`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function containerSpecs(
  stack: RenderedStack,
  images: Record<ComponentName, string>,
  limits: ContainerLimits,
): ContainerSpec[] {
  return stack.containers.map((wiring) => {
    const c = component(wiring.component);
    const byPath = new Map(stack.files.filter((f) => f.tier === wiring.tier).map((f) => [f.path, f]));
    const fileHashes: Record<string, string> = {};
    for (const mount of wiring.mounts) {
      const file = byPath.get(mount.source);
      if (!file) throw new Error(`rendered stack mounts ${mount.source} for ${c.name} but has no such file`);
      fileHashes[mount.source] = sha256(file.content);
    }
    return {
      name: containerName(c),
      component: c.name,
      tier: wiring.tier,
      image: images[c.name],
      cmd: c.name === 'minio' ? [...MINIO_COMMAND] : wiring.args,
      env: { ...wiring.env },
      binds: wiring.mounts.map((m) => ({
        source: `${tierDir(wiring.tier)}/${m.source}`,
        target: m.target,
        readOnly: m.readOnly,
      })),
      volume: c.dataPath ? { name: volumeName(c.name), target: c.dataPath } : null,
      ports: wiring.ports.map((p) => ({ ...p })),
      network: NETWORK_NAME,
      restart: RESTART_POLICY,
      logs: { maxSize: limits.logMaxSize, maxFiles: limits.logMaxFiles },
      memoryLimitMiB: limits.memoryLimitMiB[c.name],
      security: { noNewPrivileges: true, capDrop: ['ALL'], capAdd: [...CAPABILITIES_ADDED[c.name]] },
      readOnlyRoot: readOnlyRoot(c.name),
      fileHashes,
    };
  });
}

/** JSON with object keys sorted at every depth, so equal specs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function specHash(spec: ContainerSpec): string {
  return sha256(canonicalJson(spec));
}

export function containerLabels(spec: ContainerSpec, installerVersion: string): Record<string, string> {
  return {
    [LABELS.product]: PRODUCT,
    [LABELS.component]: spec.component,
    [LABELS.version]: installerVersion,
    [LABELS.specHash]: specHash(spec),
  };
}

/** Labels on the volumes and networks we create, so uninstall finds exactly them. */
export function ownedLabels(componentName?: ComponentName): Record<string, string> {
  return { [LABELS.product]: PRODUCT, ...(componentName ? { [LABELS.component]: componentName } : {}) };
}

/**
 * The Engine API request that creates the container. Built here, as plain data in the API's own
 * spelling (ContainerCreateBody, src/remote), rather than by the engine from a ContainerSpec: the
 * mapping from our spec to Docker's options (mounts, limits, log rotation, labels with the spec
 * hash) stays beside the spec and its hash, pure and unit-tested, and the engine stays a transport
 * that knows nothing of components.
 */
export function createOptions(spec: ContainerSpec, installerVersion: string): ContainerCreateBody {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostPort: string; HostIp?: string }>> = {};
  for (const p of spec.ports) {
    exposed[`${p.container}/tcp`] = {};
    bindings[`${p.container}/tcp`] = [{ ...(p.address ? { HostIp: p.address } : {}), HostPort: String(p.host) }];
  }
  // Mounts, not Binds: with Binds a missing source file is silently created as a directory (and
  // a later upload to that path fails); a bind mount with Mounts refuses to start instead.
  const mounts: ContainerMount[] = spec.binds.map((b) => ({
    Type: 'bind',
    Source: b.source,
    Target: b.target,
    ReadOnly: b.readOnly,
  }));
  if (spec.volume) mounts.push({ Type: 'volume', Source: spec.volume.name, Target: spec.volume.target });
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: containerLabels(spec, installerVersion),
    ExposedPorts: exposed,
    HostConfig: {
      Mounts: mounts,
      PortBindings: bindings,
      RestartPolicy: { Name: spec.restart },
      NetworkMode: spec.network,
      LogConfig: {
        Type: 'json-file',
        Config: { 'max-size': spec.logs.maxSize, 'max-file': String(spec.logs.maxFiles) },
      },
      SecurityOpt: spec.security.noNewPrivileges ? ['no-new-privileges:true'] : [],
      CapDrop: [...spec.security.capDrop],
      ...(spec.security.capAdd.length > 0 ? { CapAdd: [...spec.security.capAdd] } : {}),
      ...(spec.readOnlyRoot
        ? {
            ReadonlyRootfs: true,
            ...(spec.readOnlyRoot.tmpfs.length > 0
              ? { Tmpfs: Object.fromEntries(spec.readOnlyRoot.tmpfs.map((path) => [path, TMPFS_OPTIONS])) }
              : {}),
          }
        : {}),
      // No swap beyond the limit (MemorySwap equal to Memory): a leak ends in a restart, not a thrashing host.
      ...(spec.memoryLimitMiB !== null
        ? { Memory: spec.memoryLimitMiB * MIB, MemorySwap: spec.memoryLimitMiB * MIB }
        : {}),
    },
  };
}

/** The published port of a component's health endpoint on its host. */
export function healthPort(spec: ContainerSpec): number {
  const health = component(spec.component).health;
  return spec.ports.find((p) => p.container === health.port)?.host ?? health.port;
}

/** The address its own host reaches a component's health endpoint at: loopback when bound there. */
export function healthAddress(spec: ContainerSpec, hostAddress: string): string {
  const health = component(spec.component).health;
  const address = spec.ports.find((p) => p.container === health.port)?.address;
  return address === LOOPBACK ? address : hostAddress;
}
