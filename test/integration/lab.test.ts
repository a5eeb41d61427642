// The lab itself (test/lab): hosts with their own identity over real sshd, every lab credential,
// inner-01 only behind bastion-01, one engine per server host pulling pinned images by real name.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { configFile } from '../../src/config/schema.js';
import { COMPONENTS, type Tier } from '../../src/stack/manifest.js';
import { imageRef } from '../../src/stack/image-ref.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor, type Lab } from '../lab/lab.js';
import { LAB_SH, run, runLabSh } from '../lab/lab-sh.js';

const skip = labSkipReason();

/** Runs `command` over ssh2 and resolves its stdout; the host key must match the lab's known_hosts. */
function ssh2Exec(lab: Lab, config: ConnectConfig, command: string): Promise<string> {
  const known = readFileSync(lab.knownHosts, 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${config.host} `));
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on('ready', () =>
        client.exec(command, (error, stream) => {
          if (error) return reject(error);
          let out = '';
          stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
          stream.on('close', () => (client.end(), resolve(out.trim())));
        }),
      )
      .on('error', reject)
      .connect({
        port: 22,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => known?.split(' ')[2] === key.toString('base64'),
        ...config,
      });
  });
}

describe.skipIf(skip !== undefined)('lab', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = requireLab();
  });
  afterAll(async () => {
    await resetLab({ images: true });
  });

  const sshArgs = (lab: Lab, key: string) => [
    '-i',
    key,
    '-o',
    `UserKnownHostsFile=${lab.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=5',
  ];

  it('gives every host its own hostname over ssh with the lab key and known_hosts', async () => {
    for (const host of lab.hosts.filter((h) => h.tier !== 'inner')) {
      const result = await run(['ssh', ...sshArgs(lab, lab.keys.root), `root@${host.address}`, 'hostname']);
      expect(result.stdout.trim(), result.stderr).toBe(host.name);
    }
  });

  it('reaches inner-01 through bastion-01 with ProxyJump', async () => {
    const result = await run(['ssh', '-F', lab.sshConfig, 'inner-01', 'hostname']);
    expect(result.stdout.trim(), result.stderr).toBe('inner-01');
  });

  it('gives inner-01 no route from the bridge or the root namespace', async () => {
    const fromTarget = await labExec('target-01', ['timeout', '3', 'bash', '-c', '</dev/tcp/10.214.0.2/22']);
    expect(fromTarget.exitCode).toBe(1);
    expect(fromTarget.stderr).toContain('Network is unreachable');
    // Asked of the routing table only: a real connect from here must never be tried.
    const route = await run(['ip', 'route', 'get', '10.214.0.2']);
    expect(route.exitCode).not.toBe(0);
    expect(route.stderr).toContain('No route to host');
  });

  it('accepts heal by key and by password, and is in the docker group', async () => {
    const web = lab.hosts.find((h) => h.name === 'web-01')!;
    const byKey = await ssh2Exec(
      lab,
      { host: web.address, username: 'heal', privateKey: readFileSync(lab.keys.heal) },
      'id -nG',
    );
    expect(byKey.split(' ')).toContain('docker');
    const byPassword = await ssh2Exec(
      lab,
      { host: web.address, username: 'heal', password: lab.healPassword },
      'docker version -f {{.Server.Version}}',
    );
    expect(byPassword).toMatch(/^\d+\.\d+/);
  });

  it('accepts root by the passphrase-protected key and through an agent', async () => {
    const app = lab.hosts.find((h) => h.name === 'app-01')!;
    const encrypted = {
      host: app.address,
      username: 'root',
      privateKey: readFileSync(lab.keys.encrypted),
      passphrase: lab.keys.encryptedPassphrase,
    };
    expect(await ssh2Exec(lab, encrypted, 'hostname')).toBe('app-01');
    const agent = await run(['ssh-agent', '-s']);
    const socket = /SSH_AUTH_SOCK=([^;]+)/.exec(agent.stdout)![1]!;
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)![1]!;
    try {
      expect((await run(['ssh-add', '-q', lab.keys.root], { env: { SSH_AUTH_SOCK: socket } })).exitCode).toBe(0);
      expect(await ssh2Exec(lab, { host: app.address, username: 'root', agent: socket }, 'hostname')).toBe('app-01');
    } finally {
      process.kill(Number(pid));
    }
  });

  it('refuses root by password', async () => {
    const app = lab.hosts.find((h) => h.name === 'app-01')!;
    await expect(
      ssh2Exec(lab, { host: app.address, username: 'root', password: lab.healPassword }, 'true'),
    ).rejects.toThrow(/authentication/i);
  });

  it('runs one engine per server host, named after it, and none on targets or the bastion', async () => {
    for (const host of lab.hosts) {
      const info = await labExec(host.name, [
        'docker',
        '-H',
        'unix:///var/run/docker.sock',
        'info',
        '--format',
        '{{.Name}}',
      ]);
      if (host.dockerSocket) expect(info.stdout.trim(), info.stderr).toBe(host.name);
      else expect(info.exitCode).not.toBe(0);
    }
  });

  it('pulls every pinned image by its real name on its tier through the registry mirror', async () => {
    const hostOf = (tier: Tier) => lab.hosts.find((h) => h.tier === tier)!.name;
    for (const component of COMPONENTS) {
      const host = hostOf(component.tier);
      const pull = await labExec(host, ['docker', 'pull', imageRef(component)], { timeoutMs: 60_000 });
      expect(pull.exitCode, pull.stderr).toBe(0);
      const label = await labExec(host, [
        'docker',
        'image',
        'inspect',
        '-f',
        '{{index .Config.Labels "org.hplab.stand-in"}}',
        imageRef(component),
      ]);
      expect(label.stdout.trim()).toBe(component.name);
    }
  });

  it('serves MinIO only from quay.io, as reality does since Docker Hub deleted minio/minio', async () => {
    const { tag } = COMPONENTS.find((c) => c.name === 'minio')!;
    // db-01 resolves quay.io to the lab's quay.io registry; inner-01 reaches it through bastion-01.
    for (const host of ['db-01', 'inner-01']) {
      const pull = await labExec(host, ['docker', 'pull', `quay.io/minio/minio:${tag}`], { timeoutMs: 60_000 });
      expect(pull.exitCode, `${host}: ${pull.stderr}`).toBe(0);
      const label = await labExec(host, [
        'docker',
        'image',
        'inspect',
        '-f',
        '{{index .Config.Labels "org.hplab.stand-in"}}',
        `quay.io/minio/minio:${tag}`,
      ]);
      expect(label.stdout.trim()).toBe('minio');
    }
    const hub = await labExec('db-01', ['docker', 'pull', `minio/minio:${tag}`], { timeoutMs: 60_000 });
    expect(hub.exitCode).not.toBe(0);
    expect(hub.stdout).not.toContain('Downloaded');
  });

  it('pulls over `docker -H ssh://` with the lab ssh wrapper', async () => {
    const pyroscope = COMPONENTS.find((c) => c.name === 'pyroscope')!;
    const env = { PATH: `${path.dirname(lab.sshConfig)}/bin:${process.env.PATH}` };
    const pull = await run(['docker', '-H', 'ssh://root@10.213.0.12', 'pull', '-q', imageRef(pyroscope)], {
      env,
      timeoutMs: 60_000,
    });
    expect(pull.exitCode, pull.stderr).toBe(0);
    expect(pull.stdout).toContain(imageRef(pyroscope));
  });

  it('publishes live pids for every host in lab.json', async () => {
    for (const host of lab.hosts) {
      expect(host.pids.anchor, host.name).toBeGreaterThan(1);
      expect(host.pids.sshd, host.name).toBeGreaterThan(1);
      if (host.dockerSocket) expect(host.pids.dockerd, host.name).toBeGreaterThan(1);
      for (const pid of Object.values(host.pids)) expect(() => process.kill(pid, 0)).not.toThrow();
    }
  });

  it('writes a demo config that the product schema accepts, naming every lab host by tier', async () => {
    const written = await runLabSh(['demo-config']);
    expect(written.exitCode, written.stderr).toBe(0);
    const config = configFile.parse(
      YAML.parse(readFileSync(path.join(path.dirname(lab.sshConfig), 'heal-pyroscope.yaml'), 'utf8')),
    );
    expect(config.ssh).toMatchObject({ user: 'root', identityFile: lab.keys.root, knownHostsFile: lab.knownHosts });
    expect(config.hosts?.app).toEqual({ host: '10.213.0.12', name: 'app-01' });
    expect(config.hosts?.targets).toContainEqual({ host: '10.213.0.101', name: 'target-01' });
  });
});

describe.skipIf(skip !== undefined)('lab down after an interrupted up', () => {
  const stateDir = process.env.LAB_STATE_DIR ?? '/var/lib/hplab';
  // Whoever had the lab keeps it: the run that started it still takes it down at the end.
  let startedBy = '';
  beforeAll(() => {
    startedBy = requireLab().startedBy;
  });
  afterAll(async () => {
    const up = await runLabSh(['up'], { HPLAB_STARTED_BY: startedBy });
    expect(up.exitCode, up.stderr).toBe(0);
  }, 300_000);

  const namespaces = () =>
    (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith('hplab-'));
  const startedEngine = () =>
    existsSync(`${stateDir}/hosts`) &&
    readdirSync(`${stateDir}/hosts`).some((h) => existsSync(`${stateDir}/hosts/${h}/dockerd.pid`));
  /** `PID START` of every process the ledger recorded (PID plus start time: no recycled PID mistaken). */
  const recorded = () =>
    (existsSync(`${stateDir}/ledger`) ? readFileSync(`${stateDir}/ledger`, 'utf8') : '')
      .split('\n')
      .filter((l) => l.startsWith('pid '))
      .map((l) => l.split(' ').slice(1, 3).join(' '));
  /** Recorded processes still alive (zombies are dead), lab registries, namespaces, veths, bridge. */
  async function leftovers(processes: string[]) {
    const stat = (pid: string) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ');
      } catch {
        return undefined;
      }
    };
    const alive = processes.filter((p) => {
      const [pid, start] = p.split(' ');
      const s = stat(pid!);
      return s !== undefined && s[0] !== 'Z' && s[19] === start;
    });
    const registries = readdirSync('/proc')
      .filter((pid) => /^\d+$/.test(pid))
      .filter((pid) => {
        try {
          return (
            readFileSync(`/proc/${pid}/cmdline`, 'utf8')
              .split('\0')
              .some((arg) => arg.startsWith(`${stateDir}/registry`)) && stat(pid)?.[0] !== 'Z'
          );
        } catch {
          return false;
        }
      });
    const veths = (await run(['ip', '-o', 'link', 'show', 'type', 'veth'])).stdout
      .split('\n')
      .map((l) => l.split(': ')[1]?.split('@')[0])
      .filter((n) => n?.startsWith('hl-'));
    const bridge = (await run(['ip', 'link', 'show', 'hplab0'])).exitCode === 0;
    return { processes: alive, registries, namespaces: namespaces(), veths, bridge };
  }

  it.each([
    ['its first namespace exists', () => namespaces().length > 0],
    ['it starts its first engine (registries, anchors and sshds running)', startedEngine],
  ])(
    'leaves nothing once down has run, when up was killed as %s',
    async (_, reached) => {
      expect((await runLabSh(['down'])).exitCode).toBe(0);
      const up = spawn('bash', [LAB_SH, 'up'], {
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, HPLAB_STARTED_BY: startedBy },
      });
      const exited = new Promise((resolve) => up.on('exit', resolve));
      await waitFor('lab.sh up to reach the kill point', reached, 60_000, 10);
      process.kill(-up.pid!, 'SIGKILL');
      await exited;
      const processes = recorded();
      const down = await runLabSh(['down']);
      expect(down.exitCode, down.stderr).toBe(0);
      expect(await leftovers(processes)).toEqual({
        processes: [],
        registries: [],
        namespaces: [],
        veths: [],
        bridge: false,
      });
    },
    240_000,
  );
});
