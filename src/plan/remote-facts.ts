// Reading what is already on a server tier's host: our containers (by name), images, our files
// (content hash, mode, owner), the network and our volumes. Used by install, uninstall and status.

import { isIP } from 'node:net';
import { serverAddressProblem } from '../config/server-addresses.js';
import { HealError, isHealError } from '../core/errors.js';
import type { ExecResult } from '../core/exec-result.js';
import { NO_HELPER } from '../remote/root-access.js';
import type { ContainerSummary, Engine } from '../remote/index.js';
import { LABELS, PRODUCT } from '../stack/manifest.js';
import type { Host, ServerTier } from '../hosts/host.js';
import type { ExistingContainer, FileState, TierFacts } from './plan.js';
import { NETWORK_NAME } from '../stack/manifest.js';

// $@: absolute paths. One line each: PATH TAB sha256 TAB mode uid gid, or PATH TAB -.
export const FILE_FACTS_SCRIPT = `for f in "$@"; do
  if [ -f "$f" ]; then printf '%s\\t%s\\t%s\\n' "$f" "$(sha256sum <"$f" | cut -d' ' -f1)" "$(stat -c '%a %u %g' "$f")"
  else printf '%s\\t-\\n' "$f"; fi
done`;

export function parseFileFacts(stdout: string): Map<string, FileState> {
  const files = new Map<string, FileState>();
  for (const line of stdout.split('\n')) {
    const [path, hash, stat] = line.split('\t');
    if (!path || !hash || hash === '-' || !stat) continue;
    const [mode, uid, gid] = stat.trim().split(' ');
    files.set(path, { sha256: hash, mode: parseInt(mode ?? '0', 8), uid: Number(uid), gid: Number(gid) });
  }
  return files;
}

export function toExisting(info: ContainerSummary): ExistingContainer {
  return { id: info.id, name: info.name, labels: info.labels, running: info.state === 'running', image: info.image };
}

/** Containers with exactly these names (Docker's name filter matches substrings). */
export async function containersNamed(
  engine: Engine,
  names: readonly string[],
): Promise<Map<string, ExistingContainer>> {
  const list = await engine.listContainers();
  const wanted = new Set(names);
  return new Map(
    list
      .map(toExisting)
      .filter((c) => wanted.has(c.name))
      .map((c) => [c.name, c]),
  );
}

/**
 * The installed files' facts, read as root (they belong to the container users). A dry run of a
 * non-root user on a host without the helper image yet reads them as the SSH user: before the first
 * install there is nothing there to read, and an unreadable file still fails, naming it.
 */
async function readFileFacts(host: Host, paths: readonly string[]): Promise<ExecResult> {
  const argv = ['sh', '-c', FILE_FACTS_SCRIPT, 'sh', ...paths];
  try {
    return await host.remote.root.exec(argv, { timeoutMs: 30_000 });
  } catch (error) {
    if (!isHealError(error) || error.code !== NO_HELPER) throw error;
    return host.remote.exec(argv, { timeoutMs: 30_000 });
  }
}

export async function gatherTierFacts(
  host: Host,
  tier: ServerTier,
  names: readonly string[],
  paths: readonly string[],
): Promise<TierFacts> {
  const engine = host.remote.engine;
  const [containers, images, networks, volumes, files] = await Promise.all([
    containersNamed(engine, names),
    engine.listImages(),
    engine.listNetworks({ name: NETWORK_NAME }),
    engine.listVolumes({ label: `${LABELS.product}=${PRODUCT}` }),
    paths.length > 0 ? readFileFacts(host, paths) : Promise.resolve({ code: 0, stdout: '', stderr: '' }),
  ]);
  if (files.code !== 0) {
    throw new HealError({
      code: 'facts.files',
      message: `cannot read the installed files on ${host.name}: ${files.stderr.trim()}`,
      hint: 'check /opt/heal-pyroscope on the host',
    });
  }
  const imageMap = new Map<string, string>();
  for (const image of images) for (const tag of [...image.tags, ...image.digests]) imageMap.set(tag, image.id);
  return {
    tier,
    machine: host.name,
    containers,
    images: imageMap,
    files: parseFileFacts(files.stdout),
    network: networks.length > 0,
    volumes: new Set(volumes.map((v) => v.name)),
  };
}

/** The address `name` has as seen from `from` (containers do not read the host's /etc/hosts). */
export async function resolveFrom(from: Host, name: string): Promise<string> {
  if (isIP(name) !== 0) return name;
  const address = await lookupFrom(from, name);
  // Debian maps a machine's own name to 127.0.1.1: fine for the host, wrong inside a container.
  const problem = serverAddressProblem(address);
  if (problem) {
    throw new HealError({
      code: 'facts.resolve-loopback',
      message: `${from.name} resolves ${name} to ${address}, but ${problem}`,
      hint: `put ${name}'s network address in the config instead of its name (or fix /etc/hosts on ${from.name})`,
    });
  }
  return address;
}

async function lookupFrom(from: Host, name: string): Promise<string> {
  const result = await from.remote.exec(['getent', 'ahostsv4', name], { timeoutMs: 10_000 });
  const address = result.stdout.split('\n')[0]?.split(/\s+/)[0];
  if (result.code !== 0 || !address || isIP(address) === 0) {
    throw new HealError({
      code: 'facts.resolve',
      message: `${from.name} cannot resolve ${name}`,
      hint: 'use IP addresses in the config, or fix name resolution on that host: its containers will need the address',
    });
  }
  return address;
}
