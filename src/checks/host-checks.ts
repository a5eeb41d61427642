// Checks about the machine itself, decided from its gathered facts: SSH, Docker, architecture,
// memory, CPU and disk against the documented minimums of the components it will run.
import { minimumFor } from '../stack/manifest.js';
import { dockerFactsOf, factsOf, result, type Check, type CheckResult } from './check.js';
import { HOST_ROOT } from '../core/host-paths.js';
import { filesystemOf } from '../hosts/facts.js';

/** Docker Engine 20.10 (API 1.41) is the oldest that runs the stack's images and our API calls. */
export const MIN_DOCKER_API = '1.41';
const SUPPORTED_ARCH: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };

export function apiAtLeast(version: string, minimum: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = minimum.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

export const sshCheck: Check = {
  id: 'ssh.connect',
  title: 'SSH reachable and authenticated',
  tiers: [],
  needsDocker: false,
  run: (host) => {
    const { connectError } = host;
    if (connectError) return [result(sshCheck, host.name, 'fail', connectError.message, { remedy: connectError.hint })];
    const to = host.reachedAs ?? { user: host.ssh.user ?? '?', host: host.address, port: host.ssh.port ?? 22 };
    return [result(sshCheck, host.name, 'pass', `connected as ${to.user} to ${to.host}:${to.port}`)];
  },
};

export const dockerCheck: Check = {
  id: 'docker.engine',
  title: 'Docker engine usable, API new enough',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  run: ({ name, facts }) => {
    if (facts?.dockerError)
      return [result(dockerCheck, name, 'fail', facts.dockerError.message, { remedy: facts.dockerError.hint })];
    const d = facts?.docker;
    if (!d) return [result(dockerCheck, name, 'skip', 'no Docker facts')];
    const evidence = [`Docker ${d.version}, API ${d.apiVersion}`, `root dir ${d.rootDir}`];
    if (!apiAtLeast(d.apiVersion, MIN_DOCKER_API)) {
      return [
        result(dockerCheck, name, 'fail', `Docker API ${d.apiVersion} is older than ${MIN_DOCKER_API} (Docker 20.10)`, {
          evidence,
          remedy: 'upgrade Docker Engine to 20.10 or newer',
        }),
      ];
    }
    return [result(dockerCheck, name, 'pass', `Docker ${d.version} (API ${d.apiVersion})`, { evidence })];
  },
};

export const archCheck: Check = {
  id: 'host.arch',
  title: 'CPU architecture has images',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  run: ({ name, facts }) => {
    const arch = facts?.arch ?? '';
    const platform = SUPPORTED_ARCH[arch];
    return platform
      ? [result(archCheck, name, 'pass', `${arch} (linux/${platform} images)`)]
      : [
          result(archCheck, name, 'fail', `${arch || 'unknown'} has no images of the pinned components`, {
            remedy: 'use an x86_64 or aarch64 host',
          }),
        ];
  },
};

export const memoryCheck: Check = {
  id: 'resources.memory',
  title: 'Memory',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  run: (host) => {
    const { name, tiers } = host;
    const need = minimumFor(tiers).memoryMiB;
    const f = factsOf(host);
    const evidence = [
      `total ${f.memTotalMiB} MiB, available ${f.memAvailableMiB} MiB`,
      `minimum for ${tiers.join('+')}: ${need} MiB`,
    ];
    if (f.memTotalMiB < need) {
      return [
        result(memoryCheck, name, 'fail', `${f.memTotalMiB} MiB total, below the ${need} MiB minimum`, {
          evidence,
          remedy: 'give the host more memory or split the tiers over more hosts',
        }),
      ];
    }
    if (f.memAvailableMiB < need) {
      return [
        result(memoryCheck, name, 'warn', `only ${f.memAvailableMiB} MiB available of the ${need} MiB needed`, {
          evidence,
          remedy: 'free memory on the host before installing',
        }),
      ];
    }
    return [result(memoryCheck, name, 'pass', `${f.memAvailableMiB} MiB available (needs ${need})`, { evidence })];
  },
};

export const cpuCheck: Check = {
  id: 'resources.cpu',
  title: 'CPU cores',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  run: (host) => {
    const { name, tiers } = host;
    const need = minimumFor(tiers).cpus;
    const have = factsOf(host).cpus;
    return have >= need
      ? [result(cpuCheck, name, 'pass', `${have} cores (needs ${need})`)]
      : [
          result(cpuCheck, name, 'warn', `${have} cores, fewer than the ${need} recommended`, {
            remedy: 'expect slow queries; add cores for real load',
          }),
        ];
  },
};

/** The configuration files under HOST_ROOT are small; this only catches a full or nearly full /opt. */
export const CONFIG_MIN_MIB = 50;

export const diskCheck: Check = {
  id: 'resources.disk',
  title: 'Free disk for images, data and configuration',
  tiers: ['web', 'app', 'db'],
  needsDocker: true,
  run: (host) => {
    const { name, tiers } = host;
    const need = minimumFor(tiers).diskGiB;
    const { filesystems } = factsOf(host);
    const root = dockerFactsOf(host).rootDir;
    const fs = filesystemOf(filesystems, root);
    if (!fs)
      return [
        result(diskCheck, name, 'warn', `cannot tell the free space of ${root}`, {
          remedy: `check with \`df -h ${root}\``,
        }),
      ];
    const freeGiB = fs.availableKiB / 1024 / 1024;
    const evidence = [
      `${root} is on ${fs.mount}: ${freeGiB.toFixed(1)} GiB free`,
      `minimum for ${tiers.join('+')}: ${need} GiB`,
    ];
    const short: string[] = [];
    const remedies: string[] = [];
    if (freeGiB < need) {
      short.push(`${freeGiB.toFixed(1)} GiB free on ${fs.mount}, below the ${need} GiB minimum`);
      remedies.push(`free space on ${fs.mount} (e.g. docker system prune) or move the Docker root`);
    }
    // The configuration goes to HOST_ROOT (/opt), often another filesystem than the Docker root.
    const conf = filesystemOf(filesystems, HOST_ROOT);
    if (conf && conf.mount !== fs.mount) {
      const freeMiB = conf.availableKiB / 1024;
      evidence.push(`${HOST_ROOT} is on ${conf.mount}: ${freeMiB.toFixed(0)} MiB free (minimum ${CONFIG_MIN_MIB} MiB)`);
      if (freeMiB < CONFIG_MIN_MIB) {
        short.push(
          `${freeMiB.toFixed(0)} MiB free on ${conf.mount}, where the configuration is written ` +
            `(${HOST_ROOT}), below the ${CONFIG_MIN_MIB} MiB minimum`,
        );
        remedies.push(`free space on ${conf.mount} on ${name} (check with \`df -h ${conf.mount}\`)`);
      }
    }
    if (short.length > 0)
      return [result(diskCheck, name, 'fail', short.join('; '), { evidence, remedy: remedies.join('; ') })];
    return [
      result(diskCheck, name, 'pass', `${freeGiB.toFixed(1)} GiB free on ${fs.mount} (needs ${need})`, { evidence }),
    ];
  },
};

/** S3 request signatures are refused past 15 minutes of skew; warn long before. */
export const SKEW_WARN_SECONDS = 5;
export const SKEW_FAIL_SECONDS = 600;

export const clockCheck: Check = {
  id: 'clock.skew',
  title: 'Clock close to this machine',
  tiers: [],
  needsDocker: false,
  run: (host): CheckResult[] => {
    const { name } = host;
    const skew = factsOf(host).clockSkewSeconds;
    const abs = Math.abs(skew);
    const text = `${skew >= 0 ? '+' : ''}${skew.toFixed(0)} s against this machine`;
    if (!Number.isFinite(skew)) return [result(clockCheck, name, 'warn', 'could not read the host clock')];
    if (abs >= SKEW_FAIL_SECONDS)
      return [
        result(clockCheck, name, 'fail', text, {
          remedy: 'sync the clock (chrony/systemd-timesyncd): S3 signatures fail past 15 minutes of skew',
        }),
      ];
    if (abs >= SKEW_WARN_SECONDS)
      return [
        result(clockCheck, name, 'warn', text, { remedy: 'enable time sync (chrony/systemd-timesyncd) on the host' }),
      ];
    return [result(clockCheck, name, 'pass', text)];
  },
};

/**
 * What needs root on a server (the lock in /run, the files under /opt/heal-pyroscope, the audit log
 * in /var/log, the flow rules) runs over SSH for root, and through Docker for any other user: a
 * short-lived helper container of the HAProxy image (remote/root-access.ts). Preflight says which,
 * so the operator knows before install; whether the user may use the engine is docker.permission's.
 */
export const rootCheck: Check = {
  id: 'ssh.root',
  title: 'SSH user can act as root (directly or through Docker)',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  run: (host) => {
    const user = factsOf(host).user;
    if (!user) return [result(rootCheck, host.name, 'skip', 'could not read who the session runs as')];
    if (user.uid === 0) return [result(rootCheck, host.name, 'pass', `connected as ${user.name} (uid 0)`)];
    return [
      result(
        rootCheck,
        host.name,
        'pass',
        `connected as ${user.name} (uid ${user.uid}): what needs root on ${host.name} (the lock in /run, ` +
          `${HOST_ROOT}, /var/log/heal-pyroscope, the flow rules) runs in a short-lived helper container ` +
          'of the HAProxy image, through Docker; no sudo',
      ),
    ];
  },
};
