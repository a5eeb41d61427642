// The renderer's entry point: every file each host needs for one installation, and how each
// container uses them. Deterministic (fixed order, no timestamps) so the installer can hash it.

import type { ComponentName } from '../stack/manifest.js';
import { component, portsOf } from '../stack/manifest.js';
import type { ComponentRender } from './component-render.js';
import type { RenderContext } from './context.js';
import { renderGrafana } from './grafana.js';
import { renderHaproxy } from './haproxy.js';
import { renderMinio } from './minio.js';
import { renderPyroscope } from './pyroscope.js';
import type { RenderedFile } from './rendered-file.js';
import { sortFiles } from './rendered-file.js';
import { renderTempo } from './tempo.js';

export interface BindMount {
  /** Relative to the product's per-host directory, as `RenderedFile.path`. */
  source: string;
  target: string;
  readOnly: true;
}

export interface PortPublish {
  host: number;
  container: number;
  /** The host address it is published on: loopback, every IPv4 address, or absent for every address (IPv6 too). */
  address?: typeof LOOPBACK | typeof EVERY_IPV4;
}

/** Where Grafana and the MinIO console are published unless `consoles.published`. */
export const LOOPBACK = '127.0.0.1';
/**
 * Where every other port is published while the flow rules hold: IPv4 only. The rules are iptables
 * (IPv4) rules; a port published on every address would also answer over IPv6, through Docker's
 * userland proxy, around them.
 */
export const EVERY_IPV4 = '0.0.0.0';

/** The address a host reaches its own console (Grafana, MinIO's) at: loopback unless published. */
export function consoleAddress(published: boolean, hostAddress: string): string {
  return published ? hostAddress : LOOPBACK;
}

/** How one container must be created so it finds its rendered files. */
export interface ContainerWiring {
  component: ComponentName;
  tier: RenderedFile['tier'];
  /** Arguments replacing the image's CMD, or null to keep it. */
  args: string[] | null;
  /** Never holds a credential: secrets are files named by `*_FILE` variables. */
  env: Record<string, string>;
  mounts: BindMount[];
  ports: PortPublish[];
}

export interface RenderedStack {
  files: RenderedFile[];
  /** In start order; without HAProxy when the front door is external. */
  containers: ContainerWiring[];
}

export function renderStack(ctx: RenderContext): RenderedStack {
  const renders: ComponentRender[] = [
    renderMinio(ctx),
    renderPyroscope(ctx),
    renderTempo(ctx),
    renderGrafana(ctx),
    renderHaproxy(ctx),
  ];
  const files = sortFiles(renders.flatMap((r) => r.files));
  const containers = renders
    .filter((r) => !(r.component === 'haproxy' && ctx.frontDoor === 'external'))
    .map((r) => wiring(r, ctx))
    .sort((a, b) => component(a.component).order - component(b.component).order);
  return { files, containers };
}

/** Only the files, for callers that write them and nothing else. */
export function renderFiles(ctx: RenderContext): RenderedFile[] {
  return renderStack(ctx).files;
}

/** The files one tier's host needs. */
export function filesFor(tier: RenderedFile['tier'], files: readonly RenderedFile[]): RenderedFile[] {
  return files.filter((f) => f.tier === tier);
}

function wiring(r: ComponentRender, ctx: RenderContext): ContainerWiring {
  const c = component(r.component);
  const mounts = r.files
    // A file with no mount target is read by no container (e.g. the snippet for an external HAProxy).
    .flatMap((f): BindMount[] =>
      f.mountTarget === null ? [] : [{ source: f.path, target: f.mountTarget, readOnly: true }],
    )
    .sort((a, b) => (a.target < b.target ? -1 : 1));
  const ports = portsOf(c, ctx).map((p): PortPublish => ({
    // Grafana is the one component whose published port the operator picks.
    host: c.name === 'grafana' ? ctx.grafanaPort : p.port,
    container: p.port,
    // The consoles are no flow of the stack: the host's loopback only, unless the config says.
    ...(!ctx.consolesPublished && (p.id === 'grafana.http' || p.id === 'minio.console')
      ? { address: LOOPBACK }
      : ctx.restrictFlows
        ? { address: EVERY_IPV4 }
        : {}),
  }));
  return { component: r.component, tier: c.tier, args: r.args, env: r.env, mounts, ports };
}
