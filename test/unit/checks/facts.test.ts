import { execa } from 'execa';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  FACTS_SCRIPT,
  factsScript,
  filesystemOf,
  parseDf,
  parseFacts,
  parseMeminfo,
  parseSs,
} from '../../../src/hosts/facts.js';

describe('host facts', () => {
  it('reads this machine through the real facts script', async () => {
    const { stdout } = await execa('sh', ['-c', FACTS_SCRIPT]);
    const f = parseFacts(stdout, Math.round(Date.now() / 1000));
    expect(f.arch).toMatch(/^(x86_64|aarch64)$/);
    expect(f.cpus).toBeGreaterThan(0);
    expect(f.memTotalMiB).toBeGreaterThan(f.memAvailableMiB - 1);
    expect(Math.abs(f.clockSkewSeconds)).toBeLessThanOrEqual(2);
    expect(filesystemOf(f.filesystems, '/var/lib/docker')).toBeDefined();
    expect(f.user).toEqual({ uid: process.getuid!(), name: userInfo().username });
  });

  it("reads only a target's clock (its checks need nothing else): no uname, df or /proc reads", async () => {
    const script = factsScript(false);
    expect(script).not.toMatch(/uname|nproc|cpuinfo|meminfo|df -Pk|ss -H/);
    const { stdout } = await execa('sh', ['-c', script]);
    const f = parseFacts(stdout, Math.round(Date.now() / 1000));
    expect(Math.abs(f.clockSkewSeconds)).toBeLessThanOrEqual(2);
    expect(f).toMatchObject({ arch: '', cpus: 0, cpuFlags: [], filesystems: [], listeners: [] });
  });

  it('parses /proc/meminfo', () => {
    expect(parseMeminfo(['MemTotal:       16384000 kB', 'MemFree: 1 kB', 'MemAvailable:    8192000 kB'])).toEqual({
      totalMiB: 16000,
      availableMiB: 8000,
    });
  });

  it('parses df -Pk, mount points with spaces included', () => {
    const lines = [
      'Filesystem 1024-blocks Used Available Capacity Mounted on',
      '/dev/vda 100 50 50 50% /',
      '/dev/vdb 200 100 100 50% /mnt/my data',
    ];
    expect(parseDf(lines)).toEqual([
      { mount: '/', availableKiB: 50, sizeKiB: 100 },
      { mount: '/mnt/my data', availableKiB: 100, sizeKiB: 200 },
    ]);
  });

  it('finds the filesystem holding a path by the longest mount prefix', () => {
    const fss = [
      { mount: '/', availableKiB: 1 },
      { mount: '/var', availableKiB: 2 },
      { mount: '/var/lib/docker2', availableKiB: 3 },
    ];
    expect(filesystemOf(fss, '/var/lib/docker')?.mount).toBe('/var');
    expect(filesystemOf(fss, '/srv')?.mount).toBe('/');
  });

  it('parses ss listeners with and without process names, IPv6 included', () => {
    const lines = [
      'LISTEN 0 4096 0.0.0.0:4040 0.0.0.0:* users:(("nc",pid=123,fd=3))',
      'LISTEN 0 128 [::]:22 [::]:*',
      'LISTEN 0 511 127.0.0.1:9940 0.0.0.0:* users:(("haproxy",pid=9,fd=7),("haproxy",pid=10,fd=7))',
    ];
    expect(parseSs(lines)).toEqual([
      { address: '0.0.0.0', port: 4040, process: 'nc (pid 123)' },
      { address: '[::]', port: 22 },
      { address: '127.0.0.1', port: 9940, process: 'haproxy (pid 9)' },
    ]);
    expect(parseSs(['#no-ss'])).toBeNull();
  });
});
