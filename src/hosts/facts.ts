// Facts gathered once per machine (k0sctl's habit): one remote script for the OS side and a few
// Docker API calls, stored on the machine state and read by every check, which stay pure.
import { group } from '../core/defined.js';
import { HealError } from '../core/errors.js';
import { evidenceProbe, parseProbeOutput, type HostEvidence } from '../guard/evidence.js';
import type { ContainerSummary } from '../remote/index.js';
import type { HostHandle } from '../remote/index.js';

// What a server's checks read (architecture, CPU, memory, disk). A target runs no container: its
// checks read only the clock (and the guard its evidence), so it is spared these commands.
const SERVER_FACTS = [
  'echo "--- arch"; uname -m',
  'echo "--- nproc"; nproc 2>/dev/null || grep -c ^processor /proc/cpuinfo',
  // x86 lists `flags`, arm64 `Features`: the first CPU's line is enough.
  'echo "--- cpuflags"; grep -m1 -E "^(flags|Features)[[:space:]]*:" /proc/cpuinfo 2>/dev/null',
  'echo "--- meminfo"; cat /proc/meminfo',
  'echo "--- user"; id -u; id -un',
];
const CLOCK = 'echo "--- clock"; date +%s';
const DISKS = 'echo "--- df"; df -Pk 2>/dev/null';
// `ss -p` walks every process's file descriptors: only servers, whose ports we check, pay for it.
const LISTENERS =
  'echo "--- listen"; if command -v ss >/dev/null 2>&1; then ss -Hltnp 2>/dev/null; else echo "#no-ss"; fi';

/** A server's facts (with its listening sockets), or a target's (its clock only). */
export function factsScript(server: boolean): string {
  return [...(server ? [...SERVER_FACTS, CLOCK, DISKS, LISTENERS] : [CLOCK]), 'echo "--- end"'].join('\n');
}

export const FACTS_SCRIPT = factsScript(true);

export interface Listener {
  address: string;
  port: number;
  /** `nc (pid 1234)` when ss could see the process. */
  process?: string;
}

export interface FileSystem {
  mount: string;
  availableKiB: number;
  /** Its size (df's 1024-blocks), when df said. */
  sizeKiB?: number;
}

export interface DockerFacts {
  version: string;
  apiVersion: string;
  rootDir: string;
  labels: string[];
  mirrors: string[];
  containers: ContainerSummary[];
  /** Present images by tag (`RepoTags`) and by digest (`RepoDigests`). */
  imageTags: string[];
}

/** Architecture, CPU, memory and filesystems are read on servers only (a target's are empty: '', 0, NaN, []). */
export interface HostFacts {
  arch: string;
  cpus: number;
  /** The CPU's feature flags from /proc/cpuinfo (empty when it could not be read). */
  cpuFlags: string[];
  memTotalMiB: number;
  memAvailableMiB: number;
  /** Host clock minus operator clock, in seconds (rounded to the probe's precision). */
  clockSkewSeconds: number;
  filesystems: FileSystem[];
  listeners: Listener[] | null;
  /** Who the SSH session runs as (null when it could not be read). */
  user: { uid: number; name: string } | null;
  docker?: DockerFacts;
  dockerError?: HealError;
  /** What the production guard reads (hostname, FQDN, /etc/environment, marker files, engine labels). */
  guard: Omit<HostEvidence, 'host'>;
}

function sections(stdout: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^--- (\w+)$/.exec(line);
    if (m) {
      current = [];
      map.set(group(m, 1), current);
    } else current?.push(line);
  }
  return map;
}

/** `flags\t\t: fpu vme sse4_2 ...` -> its words. */
export function parseCpuFlags(lines: string[]): string[] {
  const line = lines.find((l) => /^(flags|Features)\s*:/.test(l));
  return line
    ? line
        .slice(line.indexOf(':') + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean)
    : [];
}

export function parseMeminfo(lines: string[]): { totalMiB: number; availableMiB: number } {
  const kib = (key: string) => Number(/(\d+)/.exec(lines.find((l) => l.startsWith(`${key}:`)) ?? '')?.[1] ?? NaN);
  return { totalMiB: Math.floor(kib('MemTotal') / 1024), availableMiB: Math.floor(kib('MemAvailable') / 1024) };
}

export function parseDf(lines: string[]): FileSystem[] {
  return lines.slice(1).flatMap((line) => {
    // Filesystem, 1024-blocks, Used, Available, Capacity, then the mount point (which may hold spaces).
    const [, blocks, , available, , ...mount] = line.trim().split(/\s+/);
    if (available === undefined || mount.length === 0 || !/^\d+$/.test(available)) return [];
    const size = blocks !== undefined && /^\d+$/.test(blocks) ? { sizeKiB: Number(blocks) } : {};
    return [{ mount: mount.join(' '), availableKiB: Number(available), ...size }];
  });
}

/** `ss -Hltnp` lines: `LISTEN 0 4096 0.0.0.0:4040 0.0.0.0:* users:(("nc",pid=12,fd=3))`. */
export function parseSs(lines: string[]): Listener[] | null {
  if (lines.includes('#no-ss')) return null;
  return lines.flatMap((line): Listener[] => {
    // State, Recv-Q, Send-Q, local address:port, peer address:port, then the process.
    const [state, , , local, peer, ...rest] = line.trim().split(/\s+/);
    if (state !== 'LISTEN' || local === undefined || peer === undefined) return [];
    const colon = local.lastIndexOf(':');
    const proc = /users:\(\("([^"]+)",pid=(\d+)/.exec(rest.join(' '));
    return [
      {
        address: local.slice(0, colon),
        port: Number(local.slice(colon + 1)),
        ...(proc ? { process: `${proc[1]} (pid ${proc[2]})` } : {}),
      },
    ];
  });
}

/** The filesystem that holds `path`: the longest mount point that is a prefix of it. */
export function filesystemOf(filesystems: readonly FileSystem[], path: string): FileSystem | undefined {
  return filesystems
    .filter((fs) => path === fs.mount || path.startsWith(fs.mount.endsWith('/') ? fs.mount : `${fs.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
}

export function parseFacts(
  stdout: string,
  operatorEpochSeconds: number,
): Omit<HostFacts, 'docker' | 'dockerError' | 'guard'> {
  const s = sections(stdout);
  const mem = parseMeminfo(s.get('meminfo') ?? []);
  return {
    arch: (s.get('arch')?.[0] ?? '').trim(),
    cpus: Number((s.get('nproc')?.[0] ?? '').trim()) || 0,
    cpuFlags: parseCpuFlags(s.get('cpuflags') ?? []),
    memTotalMiB: mem.totalMiB,
    memAvailableMiB: mem.availableMiB,
    clockSkewSeconds: Number((s.get('clock')?.[0] ?? '').trim()) - operatorEpochSeconds,
    filesystems: parseDf(s.get('df') ?? []),
    listeners: parseSs(s.get('listen') ?? []),
    user: parseUser(s.get('user') ?? []),
  };
}

/** `id -u` then `id -un`. */
function parseUser(lines: string[]): HostFacts['user'] {
  const [uid, name] = lines.map((l) => l.trim());
  return uid && /^\d+$/.test(uid) && name ? { uid: Number(uid), name } : null;
}

/**
 * One remote command reads the guard's evidence and the OS facts together (one session channel per
 * host, not two: on many hosts each round trip counts); then a few read-only Docker API calls.
 */
export async function gatherFacts(
  session: Pick<HostHandle, 'exec' | 'engine'>,
  needsDocker: boolean,
  timeoutMs: number,
  markerFiles: readonly string[] = [],
): Promise<HostFacts> {
  const before = Date.now();
  const out = await session.exec(evidenceProbe(markerFiles, factsScript(needsDocker)), { timeoutMs });
  // The host read its clock somewhere inside the round trip: compare against the midpoint.
  const operator = (before + Date.now()) / 2 / 1000;
  const { host: _host, ...guard } = parseProbeOutput('', out.stdout, [], out);
  const facts: HostFacts = { ...parseFacts(out.stdout, Math.round(operator)), guard };
  if (!needsDocker) return facts;
  try {
    const engine = session.engine;
    // Version first: when the engine is unusable, one call (and one diagnosis) says why.
    const version = await engine.version();
    const [info, containers, images] = await Promise.all([engine.info(), engine.listContainers(), engine.listImages()]);
    facts.docker = {
      version: version.version,
      apiVersion: version.apiVersion,
      rootDir: info.rootDir,
      labels: info.labels,
      mirrors: info.mirrors,
      containers,
      imageTags: images.flatMap((i) => [...i.tags, ...i.digests]),
    };
    facts.guard.dockerLabels = facts.docker.labels;
  } catch (error) {
    facts.dockerError =
      error instanceof HealError
        ? error
        : new HealError({
            code: 'docker.api',
            message: `Docker API call failed: ${(error as Error).message}`,
            hint: 'check the engine with `docker info` on the host',
            cause: error,
          });
  }
  return facts;
}
