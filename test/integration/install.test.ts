// install, status and uninstall against the lab's real sshd and dockerd: a fresh install answers
// everywhere (through HAProxy too), a second run changes and pulls nothing, status names drift,
// uninstall removes exactly what install created, a failure mid-way rolls back.
// Each case sets up the state it starts from (installed, or nothing installed) and undoes the faults
// it switches on, so any one of them runs alone (`-t '<name>'`) or in any order.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type RunResult } from '../support/run-cli.js';
import { runLabSh } from '../lab/lab-sh.js';
import { fault, labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { imageRef } from '../../src/stack/image-ref.js';
import { component } from '../../src/stack/manifest.js';

const skip = labSkipReason();
const BIN = fileURLToPath(new URL('../../bin/heal-pyroscope', import.meta.url));

interface InstallDoc {
  ok: boolean;
  containers: Array<{ name: string; action: string; imageId?: string }>;
  pulled: unknown[];
  verified: Array<{ what: string; ok: boolean }>;
  rolledBack: Array<{ description: string; ok: boolean }>;
  error: { code: string } | null;
}

async function engine(host: string, what: 'ps' | 'volume' | 'network' | 'image'): Promise<string[]> {
  const argv =
    what === 'ps'
      ? ['docker', 'ps', '-a', '--format', '{{.Names}}']
      : what === 'image'
        ? ['docker', 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']
        : ['docker', what, 'ls', '--format', '{{.Name}}'];
  const result = await labExec(host, argv);
  return result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .sort();
}

describe.skipIf(skip !== undefined)('install, status, uninstall (lab)', () => {
  const lab = skip === undefined ? requireLab() : (undefined as never);
  const dir = mkdtempSync(join(tmpdir(), 'heal-install-'));
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;
  const cli = (args: string[]): Promise<RunResult> => runCli([...args, '--yes'], { cwd: dir, env: { CI: 'true' } });
  const json = (r: RunResult) => JSON.parse(r.stdout) as InstallDoc;
  const secrets = () =>
    JSON.parse(readFileSync(join(dir, '.heal-pyroscope', 'lab.state.json'), 'utf8')).secrets as Record<string, string>;

  /** The stack as install leaves it: a no-op when it is already there, a repair of any drift otherwise. */
  async function installed(): Promise<void> {
    const r = await cli(['install', '--wait', '60']);
    expect(r.code, `setup install failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  }
  /** Nothing installed: clean engines and /opt on the hosts, and no local state from an earlier run. */
  async function nothingInstalled(options: { images?: boolean } = {}): Promise<void> {
    await resetLab(options);
    rmSync(join(dir, '.heal-pyroscope'), { recursive: true, force: true });
  }
  /** Every fault undone (sshd and engines back) without touching what is installed: `lab.sh up`. */
  async function faultsUndone(): Promise<void> {
    const r = await runLabSh(['up']);
    expect(r.exitCode, r.stderr).toBe(0);
  }

  beforeAll(async () => {
    await resetLab();
    writeFileSync(
      join(dir, 'heal-pyroscope.yaml'),
      [
        'environment: lab',
        'ssh:',
        '  user: root',
        `  identityFile: ${lab.keys.root}`,
        `  knownHostsFile: ${lab.knownHosts}`,
        'hosts:',
        `  targets: [${address('target-01')}]`,
        `  web: { host: ${address('web-01')}, name: web-01 }`,
        `  app: { host: ${address('app-01')}, name: app-01 }`,
        `  db: { host: ${address('db-01')}, name: db-01 }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await resetLab();
  });

  it('refuses a host marked as production and leaves every engine untouched', async () => {
    const hosts = ['web-01', 'app-01', 'db-01'];
    const snapshot = async () => Promise.all(hosts.map((h) => engine(h, 'ps')));
    const before = await snapshot();
    await fault('prod', 'app-01');
    try {
      const r = await cli(['install', '--wait', '30']);
      expect(r.code).toBe(3);
      expect(await snapshot()).toEqual(before);
    } finally {
      await faultsUndone();
    }
  });

  it('installs a stack that answers on every port and through HAProxy', async () => {
    await nothingInstalled();
    const r = await cli(['--json', 'install', '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.containers.map((c) => [c.name, c.action])).toEqual([
      ['heal-pyroscope-minio', 'create'],
      ['heal-pyroscope-pyroscope', 'create'],
      ['heal-pyroscope-tempo', 'create'],
      ['heal-pyroscope-grafana', 'create'],
      ['heal-pyroscope-haproxy', 'create'],
    ]);
    expect(doc.verified.map((v) => v.what)).toContain('Pyroscope through the front door');
    expect(doc.verified.every((v) => v.ok)).toBe(true);
    expect(doc.containers.every((c) => c.imageId?.startsWith('sha256:'))).toBe(true);
    expect(statSync(join(dir, '.heal-pyroscope', 'lab.state.json')).mode & 0o777).toBe(0o600);
  });

  it('runs every container with no-new-privileges, every capability dropped, read-only roots where set', async () => {
    await installed();
    for (const [host, names] of [
      ['db-01', ['minio']],
      ['app-01', ['pyroscope', 'tempo', 'grafana']],
      ['web-01', ['haproxy']],
    ] as const) {
      for (const name of names) {
        const r = await labExec(host, [
          'docker',
          'inspect',
          '--format',
          '{{json .HostConfig.SecurityOpt}} {{json .HostConfig.CapDrop}} {{json .HostConfig.CapAdd}} ' +
            '{{json .HostConfig.ReadonlyRootfs}}',
          `heal-pyroscope-${name}`,
        ]);
        const readOnly = ['pyroscope', 'tempo', 'haproxy'].includes(name);
        expect(r.stdout.trim(), name).toBe(`["no-new-privileges:true"] ["ALL"] null ${readOnly}`);
      }
    }
  });

  it('reports every container unchanged and pulls nothing on a second run', async () => {
    await installed();
    const r = await cli(['--json', 'install', '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    const doc = json(r);
    expect(doc.containers.map((c) => c.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(doc.pulled).toEqual([]);
  });

  it('keeps every secret out of output and container command lines and environments', async () => {
    const r = await cli(['install', '--wait', '60', '--verbose']);
    expect(r.code, r.stderr).toBe(0);
    const inspect = await labExec('app-01', [
      'docker',
      'inspect',
      'heal-pyroscope-grafana',
      'heal-pyroscope-pyroscope',
      'heal-pyroscope-tempo',
    ]);
    const inspectDb = await labExec('db-01', ['docker', 'inspect', 'heal-pyroscope-minio']);
    for (const [key, value] of Object.entries(secrets())) {
      if (key === 'grafanaAdminUser') continue;
      expect(r.stdout + r.stderr).not.toContain(value);
      expect(inspect.stdout + inspectDb.stdout).not.toContain(value);
    }
  });

  it('status reports healthy, then names the drift of a container removed by hand', async () => {
    await installed();
    const healthy = await cli(['status']);
    expect(healthy.code, healthy.stdout).toBe(0);
    // The Docker root of every server, and the data volumes as the engines measure them.
    expect(healthy.stdout).toMatch(/^db-01 +disk \/\S*: [\d.]+ GiB available, \d+% free; volumes: minio [\d.]+ GiB$/m);
    const measured = JSON.parse((await cli(['--json', 'status'])).stdout) as {
      disks: Array<{ machine: string; freePercent: number | null }>;
      volumes: Array<{ machine: string; component: string; bytes: number | null }>;
    };
    expect(measured.disks.map((d) => d.machine).sort()).toEqual(['app-01', 'db-01', 'web-01']);
    expect(measured.disks.every((d) => typeof d.freePercent === 'number')).toBe(true);
    expect(measured.volumes.map((v) => `${v.machine} ${v.component}`).sort()).toEqual([
      'app-01 grafana',
      'app-01 pyroscope',
      'app-01 tempo',
      'db-01 minio',
    ]);
    expect(measured.volumes.every((v) => typeof v.bytes === 'number' && v.bytes >= 0)).toBe(true);
    await labExec('app-01', ['docker', 'rm', '-f', 'heal-pyroscope-tempo']);
    const drifted = await cli(['--json', 'status']);
    expect(drifted.code).toBe(1);
    const doc = JSON.parse(drifted.stdout) as { components: Array<{ component: string; drift: string[] }> };
    expect(doc.components.find((c) => c.component === 'tempo')!.drift).toContain('container missing');
    expect(doc.components.find((c) => c.component === 'pyroscope')!.drift).toEqual([]);
  });

  it('recreates only the container that is missing and keeps the data volumes', async () => {
    await installed();
    await labExec('app-01', ['docker', 'rm', '-f', 'heal-pyroscope-tempo']);
    const r = await cli(['--json', 'install', '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    const actions = Object.fromEntries(json(r).containers.map((c) => [c.name, c.action]));
    expect(actions['heal-pyroscope-tempo']).toBe('create');
    expect(actions['heal-pyroscope-pyroscope']).toBe('unchanged');
  });

  it('a changed setting recreates only the container it affects and keeps its data volume', async () => {
    await installed();
    const config = join(dir, 'heal-pyroscope.yaml');
    const original = readFileSync(config, 'utf8');
    const volumeCreated = async () =>
      (
        await labExec('app-01', [
          'docker',
          'volume',
          'inspect',
          '--format',
          '{{.CreatedAt}}',
          'heal-pyroscope-grafana-data',
        ])
      ).stdout.trim();
    const before = await volumeCreated();
    expect(before).not.toBe('');
    writeFileSync(config, `${original}grafana:\n  port: 3300\n`);
    try {
      const r = await cli(['--json', 'install', '--wait', '60']);
      expect(r.code, r.stderr).toBe(0);
      const actions = Object.fromEntries(json(r).containers.map((c) => [c.name, c.action]));
      expect(actions).toEqual({
        'heal-pyroscope-minio': 'unchanged',
        'heal-pyroscope-pyroscope': 'unchanged',
        'heal-pyroscope-tempo': 'unchanged',
        'heal-pyroscope-grafana': 'recreate',
        'heal-pyroscope-haproxy': 'unchanged',
      });
      expect(await volumeCreated()).toBe(before);
      const ports = await labExec('app-01', ['docker', 'port', 'heal-pyroscope-grafana']);
      expect(ports.stdout).toContain(':3300');
    } finally {
      writeFileSync(config, original);
    }
    const back = await cli(['--json', 'install', '--wait', '60']);
    expect(back.code, back.stderr).toBe(0);
  });

  it('writes the retentions into both configs, and a changed one recreates only its container', async () => {
    await installed();
    const configOf = async (file: string) =>
      (await labExec('app-01', ['cat', `/opt/heal-pyroscope/app/${file}`])).stdout;
    // The defaults: a month of profiles, Tempo's own 14 days of traces, both in hours.
    expect(await configOf('pyroscope/config.yaml')).toMatch(/compactor_blocks_retention_period: "720h"\n/);
    expect(await configOf('tempo/tempo.yaml')).toMatch(/block_retention: "336h"\n/);
    const config = join(dir, 'heal-pyroscope.yaml');
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, `${original}retention:\n  profiles: 1w\n`);
    try {
      const r = await cli(['--json', 'install', '--wait', '60']);
      expect(r.code, r.stderr).toBe(0);
      const changed = json(r)
        .containers.filter((c) => c.action !== 'unchanged')
        .map((c) => [c.name, c.action]);
      expect(changed).toEqual([['heal-pyroscope-pyroscope', 'recreate']]);
      expect(await configOf('pyroscope/config.yaml')).toMatch(/compactor_blocks_retention_period: "168h"\n/);
      expect(await configOf('tempo/tempo.yaml')).toMatch(/block_retention: "336h"\n/);
    } finally {
      writeFileSync(config, original);
    }
    const back = await cli(['--json', 'install', '--wait', '60']);
    expect(back.code, back.stderr).toBe(0);
  });

  it("reads the credentials from the hosts for a teammate's copy of the config: same status, verify, no change", async () => {
    await installed();
    const elsewhere = mkdtempSync(join(tmpdir(), 'heal-teammate-'));
    writeFileSync(join(elsewhere, 'heal-pyroscope.yaml'), readFileSync(join(dir, 'heal-pyroscope.yaml'), 'utf8'));
    const theirs = join(elsewhere, '.heal-pyroscope', 'lab.state.json');
    const ours = JSON.parse(readFileSync(join(dir, '.heal-pyroscope', 'lab.state.json'), 'utf8')) as {
      secrets: Record<string, string>;
    };
    const teammate = (args: string[]) => runCli(['--json', ...args, '--yes'], { cwd: elsewhere, env: { CI: 'true' } });
    const ids = async () => (await labExec('app-01', ['docker', 'ps', '-aq', '--no-trunc'])).stdout;
    const before = await ids();

    // status compares the settings as it does beside the install, and then keeps a local copy.
    const status = await teammate(['status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    const doc = JSON.parse(status.stdout) as { state: string; note: string; components: Array<{ drift: string[] }> };
    expect(doc.state).toBe('hosts');
    expect(doc.note).toMatch(/credentials were read from the hosts/);
    expect(doc.components.flatMap((c) => c.drift)).toEqual([]);
    const copied = JSON.parse(readFileSync(theirs, 'utf8')) as { secrets: Record<string, string> };
    expect(copied.secrets).toEqual(ours.secrets);
    expect(statSync(theirs).mode & 0o777).toBe(0o600);

    // verify checks Grafana's data sources with the admin login read from the hosts.
    rmSync(theirs);
    const verify = await teammate(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const sources = (JSON.parse(verify.stdout) as { datasources: Array<{ ok: boolean }> }).datasources;
    expect(sources.map((d) => d.ok)).toEqual([true, true]);

    // install recreates nothing: the same credentials, every container unchanged.
    rmSync(theirs);
    const again = await teammate(['install', '--wait', '30']);
    expect(again.code, again.stderr).toBe(0);
    expect((json(again).containers as Array<{ action: string }>).every((c) => c.action === 'unchanged')).toBe(true);
    expect(await ids()).toBe(before);
    expect((JSON.parse(readFileSync(theirs, 'utf8')) as typeof ours).secrets).toEqual(ours.secrets);
  });

  it('keeps a record of each run on every server host, which uninstall leaves', async () => {
    await installed();
    const lastRecord = async (host: string) => {
      const r = await labExec(host, ['tail', '-n', '1', '/var/log/heal-pyroscope/audit.log']);
      expect(r.exitCode, `${host}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout) as { command: string; outcome: string; by: string; hosts: string[] };
    };
    for (const host of ['web-01', 'app-01', 'db-01'])
      expect(await lastRecord(host)).toMatchObject({
        command: 'install',
        outcome: 'ok',
        hosts: ['web-01', 'app-01', 'db-01'],
      });
    const mode = await labExec('db-01', ['stat', '-c', '%a %U', '/var/log/heal-pyroscope/audit.log']);
    expect(mode.stdout.trim()).toBe('640 root');
    // status shows each host's last run, and what it changed.
    const status = await cli(['--json', 'status']);
    const last = (
      JSON.parse(status.stdout) as {
        lastChanges: Array<{ machine: string; record: { command: string; by: string; changed?: string[] } | null }>;
      }
    ).lastChanges;
    expect(last.map((l) => [l.machine, l.record?.command])).toEqual([
      ['web-01', 'install'],
      ['app-01', 'install'],
      ['db-01', 'install'],
    ]);
    expect(last[0]!.record!.by).toMatch(/^[^@\s]+@[^@\s]+$/);
    const human = await cli(['status']);
    expect(human.stdout).toMatch(/db-01 +last run: install by \S+@\S+ at \S+ \(ok, heal-pyroscope /);
    const removed = await cli(['uninstall']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await lastRecord('db-01')).toMatchObject({ command: 'uninstall', outcome: 'ok' });
  });

  it('uninstall removes what install created, keeps volumes and a foreign container', async () => {
    await installed();
    await labExec('app-01', [
      'docker',
      'run',
      '-d',
      '--name',
      'heal-pyroscope-pyroscope-mine',
      'grafana/tempo:2.8.1',
      '-config.file=/none',
    ]);
    try {
      const r = await cli(['uninstall']);
      expect(r.code, r.stderr).toBe(0);
      expect(await engine('app-01', 'ps')).toEqual(['heal-pyroscope-pyroscope-mine']);
      expect(await engine('db-01', 'ps')).toEqual([]);
      expect(await engine('db-01', 'volume')).toEqual(['heal-pyroscope-minio-data']);
      expect(await engine('app-01', 'network')).not.toContain('heal-pyroscope');
      const again = await cli(['uninstall']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('nothing to remove');
    } finally {
      await labExec('app-01', ['docker', 'rm', '-f', 'heal-pyroscope-pyroscope-mine']);
    }
  });

  it('uninstall --purge leaves no volume of the product and removes the local state', async () => {
    await installed();
    const r = await cli(['uninstall', '--purge']);
    expect(r.code, r.stderr).toBe(0);
    expect(await engine('db-01', 'volume')).toEqual([]);
    expect((await engine('app-01', 'volume')).filter((v) => v.startsWith('heal-pyroscope-'))).toEqual([]);
    expect(() => statSync(join(dir, '.heal-pyroscope', 'lab.state.json'))).toThrow();
  });

  it('uninstall reports an unreachable host, cleans the others, and a rerun finishes the job', async () => {
    await installed();
    await fault('stop-ssh', 'db-01');
    try {
      const partial = await cli(['uninstall']);
      expect(partial.code).toBe(1);
      expect(`${partial.stdout}\n${partial.stderr}`).toMatch(/db-01/);
      expect((await engine('app-01', 'ps')).filter((n) => n.startsWith('heal-pyroscope-'))).toEqual([]);
      expect(await engine('web-01', 'ps')).toEqual([]);
      expect(await engine('db-01', 'ps')).toEqual(['heal-pyroscope-minio']);
    } finally {
      // `lab.sh up` restarts the host's sshd and keeps its engine's containers.
      await faultsUndone();
    }
    const rerun = await cli(['uninstall']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await engine('db-01', 'ps')).toEqual([]);
  });

  it('rolls back every engine when the db engine stops after MinIO started', async () => {
    await nothingInstalled();
    const before = { web: await engine('web-01', 'ps'), app: await engine('app-01', 'ps') };
    // Pyroscope cannot become ready without MinIO: the db engine stops while it is waited for.
    const install = cli(['--json', 'install', '--wait', '20']);
    try {
      await waitFor(
        'MinIO to run',
        async () => (await engine('db-01', 'ps')).includes('heal-pyroscope-minio'),
        60_000,
        200,
      );
      await fault('stop-docker', 'db-01');
      const r = await install;
      expect(r.code).toBe(1);
      expect(json(r).rolledBack.length).toBeGreaterThan(0);
      expect(await engine('web-01', 'ps')).toEqual(before.web);
      expect(await engine('app-01', 'ps')).toEqual(before.app);
    } finally {
      // The rollback could not reach the stopped engine: MinIO stays there, stopped. Start clean.
      await install.catch(() => undefined);
      await nothingInstalled();
    }
  });

  it('rolls back every engine when interrupted by SIGINT while app-01 pulls', async () => {
    // No image anywhere, and app-01's pulls crawl: the interrupt lands mid-pull.
    await nothingInstalled({ images: true });
    await fault('slow-registry', 'app-01');
    const hosts = ['web-01', 'app-01', 'db-01'];
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          hosts.map(
            async (h) =>
              [
                h,
                {
                  ps: await engine(h, 'ps'),
                  network: await engine(h, 'network'),
                  volume: await engine(h, 'volume'),
                  image: await engine(h, 'image'),
                },
              ] as const,
          ),
        ),
      );
    let child: ReturnType<typeof spawn> | undefined;
    try {
      const before = await snapshot();
      // A real process, so the signal reaches the CLI's own SIGINT handler (needs `npm run build`).
      child = spawn('node', [BIN, 'install', '--config', join(dir, 'heal-pyroscope.yaml'), '--yes', '--wait', '20'], {
        cwd: dir,
        env: { ...process.env, CI: 'true' },
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += String(d)));
      child.stderr!.on('data', (d: Buffer) => (output += String(d)));
      const running = child;
      const exited = new Promise<number | null>((resolve) => running.on('exit', (code) => resolve(code)));
      // app-01's images are pulled at the same time: wait for Pyroscope's (the large one, node and
      // all), and interrupt while it is still on its way; any image already whole goes on rollback too.
      const pyroscope = imageRef(component('pyroscope'));
      // An install that ends (or never gets to the pull) fails here with what it printed.
      await waitFor(
        'the Pyroscope pull to start on app-01',
        () => output.includes(`app-01: ${pyroscope} (`) || running.exitCode !== null,
        60_000,
        50,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- install printed:\n${output}`);
      });
      expect(running.exitCode, `install ended before the pull:\n${output}`).toBeNull();
      expect(await engine('app-01', 'image')).not.toContain(pyroscope);
      child.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
      ]);
      expect(code, output).toBe(130);
      expect(output).toMatch(/interrupted/);
      expect(output).toMatch(/Rolling back \d+ change/);
      // Containers, networks, volumes and the images this run pulled: all as before, lock released.
      expect(await snapshot()).toEqual(before);
      for (const h of hosts)
        expect((await labExec(h, ['test', '-e', '/run/heal-pyroscope.lock'])).exitCode, h).not.toBe(0);
      // The credentials it generated went with the rollback: a failed run leaves no state behind.
      expect(existsSync(join(dir, '.heal-pyroscope', 'lab.state.json'))).toBe(false);
    } finally {
      // A failed assertion must not leave an install running into the next case.
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await nothingInstalled();
    }
  }, 120_000);

  it('with --front-door external, writes a snippet haproxy -c accepts, starts no HAProxy, and says what to reload', async () => {
    await nothingInstalled();
    const r = await cli(['install', '--front-door', 'external', '--wait', '60']);
    expect(r.code, r.stderr).toBe(0);
    expect(await engine('web-01', 'ps')).toEqual([]);
    const snippet = '/opt/heal-pyroscope/web/haproxy/heal-pyroscope.cfg';
    expect(r.stdout).toContain(`-f ${snippet}`);
    expect(r.stdout).toContain('systemctl reload haproxy');
    // The uploaded files, as the web host's own HAProxy would read them.
    const check = await labExec('web-01', [
      'haproxy',
      '-c',
      '-f',
      '/opt/heal-pyroscope/web/haproxy/validate-wrapper.cfg',
      '-f',
      snippet,
    ]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    const again = await cli(['--json', 'install', '--front-door', 'external', '--wait', '60']);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { frontDoor: unknown }).frontDoor).toEqual({
      mode: 'external',
      snippet,
      reloadNeeded: false,
    });
  }, 180_000);
});
