// The amd64 builds of Pyroscope (`goamd64: v2`) and MinIO (UBI9) need an x86-64-v2 CPU; a VM on
// QEMU's default CPU model lacks it and those containers die at start. Decided from the CPU flags
// gathered once; aarch64 has no such levels.
import { componentsOn } from '../stack/manifest.js';
import { result, type Check } from './check.js';

/** The /proc/cpuinfo flags that make up x86-64-v2 (CMPXCHG16B, LAHF/SAHF, POPCNT, SSE3, SSE4.1, SSE4.2, SSSE3). */
export const X86_64_V2_FLAGS = ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'] as const;

export const cpuLevelCheck: Check = {
  id: 'host.cpu-level',
  title: 'CPU level the images need',
  tiers: ['web', 'app', 'db'],
  needsDocker: false,
  run: ({ name, tiers, facts }) => {
    const arch = facts?.arch ?? '';
    if (arch !== 'x86_64' && arch !== 'amd64')
      return [result(cpuLevelCheck, name, 'pass', `${arch || 'unknown architecture'}: no x86-64 level needed`)];
    const needing = tiers
      .flatMap((t) => componentsOn(t))
      .filter((c) => c.amd64Level === 'x86-64-v2')
      .map((c) => c.name);
    const flags = new Set(facts?.cpuFlags ?? []);
    if (flags.size === 0)
      return [
        result(cpuLevelCheck, name, 'warn', 'could not read the CPU flags from /proc/cpuinfo', {
          remedy: 'check /proc/cpuinfo on the host',
        }),
      ];
    const missing = X86_64_V2_FLAGS.filter((f) => !flags.has(f));
    const evidence = [`CPU flags lack: ${missing.length > 0 ? missing.join(' ') : 'none of the x86-64-v2 set'}`];
    if (missing.length === 0) return [result(cpuLevelCheck, name, 'pass', 'x86-64-v2', { evidence })];
    if (needing.length === 0)
      return [result(cpuLevelCheck, name, 'pass', `below x86-64-v2, which nothing on this host needs`, { evidence })];
    return [
      result(
        cpuLevelCheck,
        name,
        'fail',
        `the CPU is below x86-64-v2 (missing ${missing.join(', ')}), which ${needing.join(' and ')} ` +
          `need${needing.length === 1 ? 's' : ''}`,
        {
          evidence,
          remedy:
            'on a VM, give it the host CPU model (e.g. QEMU/libvirt `host-passthrough`, or a model such as ' +
            'x86-64-v2 or newer) and reboot it',
        },
      ),
    ];
  },
};
