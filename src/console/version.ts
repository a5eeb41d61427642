// `heal-pyroscope version`: the CLI's own version and the image every component runs by default
// (the manifest's pins), as text or as one JSON document.
import { readFileSync } from 'node:fs';
import { resolveImages } from '../stack/image-ref.js';
import { COMPONENTS, type ComponentName } from '../stack/manifest.js';

/** The version in package.json, the one `npm pack` ships. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The fields of `version --json`; the envelope (schemaVersion, command, ok) comes from the output. */
export interface VersionReport {
  ok: true;
  version: string;
  node: string;
  /** Component name to its pinned image, as install pulls it without a registry prefix or override. */
  images: Record<ComponentName, string>;
}

export function versionReport(nodeVersion: string = process.version): VersionReport {
  return { ok: true, version: cliVersion(), node: nodeVersion, images: resolveImages() };
}

/** `heal-pyroscope 0.1.0 (Node v20.20.2)`, then one line per component and its pinned image. */
export function versionText(report: VersionReport): string {
  const width = Math.max(...COMPONENTS.map((c) => c.name.length));
  return [
    `heal-pyroscope ${report.version} (Node ${report.node})`,
    'pinned images:',
    ...COMPONENTS.map((c) => `  ${c.name.padEnd(width)}  ${report.images[c.name]}`),
  ].join('\n');
}
