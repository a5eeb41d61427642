// The flow rules against the lab's real sshd, dockerd and iptables: after install, a target reaches
// the front door and nothing behind it, and no other machine reaches the door unless the config
// names it; the web host reaches the app ports, the app host MinIO. The
// rules outlive a dockerd restart; status names them as drift once they are gone, install puts them
// back, verify fails naming the hole, uninstall removes them. Each case sets up the state it starts
// from, so any one of them runs alone (`-t '<name>'`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';
import { runLabSh } from '../lab/lab-sh.js';
import { fault, labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';

const skip = labSkipReason();

/** Whether `from` can open a TCP connection to address:port (within 3 s; a reset answers at once). */
async function connects(from: string, address: string, port: number): Promise<boolean> {
  const r = await labExec(from, ['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', address, String(port)]);
  return r.exitCode === 0;
}

async function chain(host: string): Promise<string> {
  return (await labExec(host, ['iptables', '-S', 'HEAL-PYROSCOPE'])).stdout;
}

describe.skipIf(skip !== undefined)('flow rules (lab)', () => {
  const lab = skip === undefined ? requireLab() : (undefined as never);
  let topo: { dir: string; path: string };
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;
  const cli = (args: string[]): Promise<RunResult> =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const APP_PORTS = [4040, 4317, 14250, 3200];

  async function installed(): Promise<void> {
    const r = await cli(['install', '--wait', '60']);
    expect(r.code, `setup install failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  }

  beforeAll(async () => {
    await resetLab();
    topo = labTopologyFile(lab);
  });
  afterAll(async () => {
    await resetLab();
  });

  it('lets a target reach the front door only, the web host the app ports, the app host MinIO', async () => {
    await resetLab();
    const dry = await cli(['install', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `app-01: published ports 3200, 4040, 4317, 14250 only from web-01 (${address('web-01')})`,
    );
    expect(dry.stdout).toContain(`web-01: published ports 9940 only from target-01 (${address('target-01')})`);
    expect(await chain('app-01')).toBe('');
    const r = await cli(['--json', 'install', '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    // install's own verify tried every path around the door from the target, and each was refused.
    const direct = (
      JSON.parse(r.stdout) as { dataPath: { targets: Array<{ direct: Array<{ port: number; open: boolean }> }> } }
    ).dataPath.targets[0]!.direct;
    expect(direct.map((d) => [d.port, d.open])).toEqual([...APP_PORTS.map((p) => [p, false]), [9000, false]]);
    for (const port of APP_PORTS) {
      expect(await connects('target-01', address('app-01'), port), `target -> app ${port}`).toBe(false);
      expect(await connects('web-01', address('app-01'), port), `web -> app ${port}`).toBe(true);
    }
    expect(await connects('target-01', address('db-01'), 9000)).toBe(false);
    expect(await connects('web-01', address('db-01'), 9000)).toBe(false);
    expect(await connects('app-01', address('db-01'), 9000)).toBe(true);
    expect(await connects('target-01', address('web-01'), 9940)).toBe(true);
    // IPv6 would go around the (IPv4) rules through Docker's userland proxy: the ports are
    // published on IPv4 only, so the app host's link-local address answers nothing.
    const linkLocal = /inet6 (fe80::[0-9a-f:]+)\//.exec(
      (await labExec('app-01', ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout,
    )?.[1];
    expect(linkLocal, 'app-01 has a link-local IPv6 address').toBeDefined();
    for (const port of APP_PORTS)
      expect(await connects('target-01', `${linkLocal}%eth0`, port), `target -> app [IPv6]:${port}`).toBe(false);
    // The front door answers the targets: a machine that is none (a bastion, the db host) is refused.
    expect(await connects('bastion-01', address('web-01'), 9940), 'bastion -> web 9940').toBe(false);
    expect(await connects('db-01', address('web-01'), 9940), 'db -> web 9940').toBe(false);
    // Grafana and the MinIO console are no flow: their hosts' loopback only (`open` reaches them).
    expect(await connects('target-01', address('app-01'), 3000)).toBe(false);
    expect(await connects('web-01', address('app-01'), 3000)).toBe(false);
    expect(await connects('target-01', address('db-01'), 9001)).toBe(false);
  }, 240_000);

  it('keeps the rules through a dockerd restart; status names them once gone, install puts them back', async () => {
    await installed();
    const before = await chain('app-01');
    expect(before).toContain('--ctorigdstport 4040');
    await fault('stop-docker', 'app-01');
    const up = await runLabSh(['up']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await chain('app-01')).toBe(before);
    expect((await labExec('app-01', ['iptables', '-C', 'DOCKER-USER', '-j', 'HEAL-PYROSCOPE'])).exitCode).toBe(0);
    // Flushed by hand (or by a firewall reload): a hole, which status reports as drift.
    await labExec('app-01', ['iptables', '-F', 'HEAL-PYROSCOPE']);
    expect(await connects('target-01', address('app-01'), 4040)).toBe(true);
    const status = await cli(['status']);
    expect(status.code, status.stdout).toBe(1);
    expect(status.stdout).toMatch(/app-01 +flows: 3200, 4040, 4317, 14250 only from web-01/);
    expect(status.stdout).toContain('drift: flow rules missing (no HEAL-PYROSCOPE chain rules)');
    const again = await cli(['install', '--wait', '60']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Limit ports to their flows: app-01 limited/);
    expect(await chain('app-01')).toBe(before);
    expect(await connects('target-01', address('app-01'), 4040)).toBe(false);
    expect((await cli(['status'])).code).toBe(0);
  }, 300_000);

  it('fails verify naming the target, the service and the fix when a path around the door is open', async () => {
    await installed();
    await labExec('db-01', ['iptables', '-D', 'DOCKER-USER', '-j', 'HEAL-PYROSCOPE']);
    try {
      const r = await cli(['verify']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/target-01 .* open: db-01:9000/);
      expect(r.stdout).toMatch(
        new RegExp(`target-01: MinIO .* answers directly at ${address('db-01').replace(/\./g, '\\.')}:9000 on db-01`),
      );
      expect(r.stdout).toContain('to put the flow rules back on db-01');
    } finally {
      await installed();
    }
  }, 240_000);

  it('lets in the sources the config names: the front door, and the consoles once published', async () => {
    const named = labTopologyFile(
      lab,
      `frontDoor:\n  allowFrom: [${address('bastion-01')}]\nconsoles:\n  allowFrom: [${address('target-01')}]\n`,
    );
    const run = (args: string[]) =>
      runCli([...args, '--config', named.path, '--yes'], { cwd: named.dir, env: { CI: 'true' } });
    try {
      await resetLab();
      const r = await run(['install', '--wait', '60']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(await connects('bastion-01', address('web-01'), 9940), 'named -> door').toBe(true);
      expect(await connects('target-01', address('web-01'), 9940), 'target -> door').toBe(true);
      expect(await connects('db-01', address('web-01'), 9940), 'other -> door').toBe(false);
      // Published on every address, the consoles answer the one source named for them, no other.
      expect(await connects('target-01', address('app-01'), 3000), 'named -> Grafana').toBe(true);
      expect(await connects('target-01', address('db-01'), 9001), 'named -> MinIO console').toBe(true);
      expect(await connects('web-01', address('app-01'), 3000), 'other -> Grafana').toBe(false);
      expect(await connects('bastion-01', address('db-01'), 9001), 'other -> MinIO console').toBe(false);
      const status = await run(['status']);
      expect(status.code, status.stdout).toBe(0);
      const door = /web-01 +flows: 9940 only from (.*)/.exec(status.stdout)?.[1] ?? status.stdout;
      expect(door).toContain(`frontDoor.allowFrom (${address('bastion-01')})`);
      expect(door).toContain(`target (${address('target-01')})`);
    } finally {
      await resetLab();
    }
  }, 300_000);

  it('uninstall removes the rules, and a rollback removes the rules it set', async () => {
    await installed();
    const r = await cli(['uninstall']);
    expect(r.code, r.stderr).toBe(0);
    for (const host of ['web-01', 'app-01', 'db-01']) {
      expect(await chain(host), host).toBe('');
      expect((await labExec(host, ['iptables', '-S', 'DOCKER-USER'])).stdout).not.toContain('HEAL-PYROSCOPE');
    }
    expect(await connects('target-01', address('app-01'), 4040)).toBe(false); // nothing listens any more
    // An install that fails after setting them (4040 taken at container start) takes them away again.
    await resetLab();
    await fault('occupy-port', 'app-01', 4040);
    try {
      const failed = await cli(['install', '--ignore-check', 'ports.free', '--wait', '30']);
      expect(failed.code, failed.stdout + failed.stderr).toBe(1);
      expect(failed.stdout + failed.stderr).toContain('↺ remove the flow rules on app-01');
      expect(failed.stdout + failed.stderr).toContain('↺ remove the flow rules on db-01');
      for (const host of ['app-01', 'db-01']) expect(await chain(host), host).toBe('');
    } finally {
      await runLabSh(['up']);
    }
  }, 300_000);
});
