import { describe, expect, it } from 'vitest';
import type { CheckContext, CheckResult } from '../../../src/checks/check.js';
import { cpuLevelCheck } from '../../../src/checks/cpu-level.js';
import { parseCpuFlags } from '../../../src/hosts/facts.js';
import { facts, machine } from './fixtures.js';

const ctx = {} as CheckContext;
const one = (r: CheckResult[] | Promise<CheckResult[]>) => (r as CheckResult[])[0]!;
/** QEMU's default `qemu64` model: x86-64 v1 only. */
const QEMU64 = [
  'fpu',
  'de',
  'pse',
  'tsc',
  'msr',
  'pae',
  'mce',
  'cx8',
  'apic',
  'sep',
  'mtrr',
  'pge',
  'mca',
  'cmov',
  'pat',
  'pse36',
  'clflush',
  'mmx',
  'fxsr',
  'sse',
  'sse2',
  'syscall',
  'nx',
  'lm',
  'pni',
  'hypervisor',
];

describe('CPU level', () => {
  it('reads the flags of the first CPU from /proc/cpuinfo', () => {
    expect(parseCpuFlags(['flags\t\t: fpu vme sse4_2 popcnt', ''])).toEqual(['fpu', 'vme', 'sse4_2', 'popcnt']);
    expect(parseCpuFlags(['Features\t: fp asimd evtstrm'])).toEqual(['fp', 'asimd', 'evtstrm']);
    expect(parseCpuFlags([])).toEqual([]);
  });

  it('passes an x86-64-v2 CPU', () => {
    expect(one(cpuLevelCheck.run(machine('app-01', ['app']), ctx))).toMatchObject({
      status: 'pass',
      summary: 'x86-64-v2',
    });
  });

  it('fails an app host below x86-64-v2, naming the level, the missing flags and what needs them', () => {
    const r = one(cpuLevelCheck.run(machine('app-01', ['app'], { facts: facts({ cpuFlags: QEMU64 }) }), ctx));
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('x86-64-v2');
    expect(r.summary).toContain('cx16, lahf_lm, popcnt, sse4_1, sse4_2, ssse3');
    expect(r.summary).toContain('pyroscope');
    expect(r.remedy).toMatch(/host-passthrough/);
  });

  it('fails a db host below x86-64-v2 for MinIO', () => {
    const r = one(cpuLevelCheck.run(machine('db-01', ['db'], { facts: facts({ cpuFlags: QEMU64 }) }), ctx));
    expect(r).toMatchObject({ status: 'fail' });
    expect(r.summary).toContain('minio');
  });

  it('passes a web host below x86-64-v2: HAProxy does not need it', () => {
    expect(one(cpuLevelCheck.run(machine('web-01', ['web'], { facts: facts({ cpuFlags: QEMU64 }) }), ctx)).status).toBe(
      'pass',
    );
  });

  it('passes aarch64, which has no x86-64 levels', () => {
    expect(
      one(
        cpuLevelCheck.run(
          machine('app-01', ['app'], { facts: facts({ arch: 'aarch64', cpuFlags: ['fp', 'asimd'] }) }),
          ctx,
        ),
      ).status,
    ).toBe('pass');
  });

  it('warns when the flags could not be read', () => {
    expect(one(cpuLevelCheck.run(machine('app-01', ['app'], { facts: facts({ cpuFlags: [] }) }), ctx)).status).toBe(
      'warn',
    );
  });
});
