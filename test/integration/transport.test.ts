// The transport against the lab's real sshd and dockerd: every auth method, the jump host, host key
// handling, Docker over the one SSH connection, and the failures an operator meets most.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarHeader } from '../../src/images/archive.js';
import { componentsOn } from '../../src/stack/manifest.js';
import { imageRef } from '../../src/stack/image-ref.js';
import type { Fleet, Interaction, SshTarget } from '../../src/remote/index.js';
import { connectAll, nonInteractive, openSessionCount } from '../../src/remote/index.js';
import { fault, labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { labTarget } from '../support/lab-targets.js';

const skip = labSkipReason();

/** A tar stream of one file (what `docker cp` sends). */
function tarOf(name: string, content: string): NodeJS.ReadableStream {
  const body = Buffer.from(content);
  return Readable.from([
    tarHeader(name, body.length),
    body,
    Buffer.alloc((512 - (body.length % 512)) % 512),
    Buffer.alloc(1024),
  ]);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** An Interaction that answers from a script and records what it was asked. */
function scripted(answers: { passphrase?: string; password?: string; confirm?: boolean }) {
  const asked: string[] = [];
  const interaction: Interaction = {
    confirmHostKey: async (host, type, fp) => (asked.push(`hostkey ${host} ${type} ${fp}`), answers.confirm ?? false),
    passphrase: async (path) => (asked.push(`passphrase ${path}`), answers.passphrase ?? ''),
    password: async (who) => (asked.push(`password ${who}`), answers.password ?? ''),
  };
  return { interaction, asked };
}

describe.skipIf(skip !== undefined)('transport (lab)', () => {
  const lab = skip === undefined ? requireLab() : (undefined as never);
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'heal-transport-'));
  });
  const fleets: Fleet[] = [];

  const host = (name: string) => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`lab has no host ${name}`);
    return h;
  };
  /** The lab host as a target: root with the lab key, the lab's known_hosts, no agent. */
  const target = (name: string, overrides: Partial<SshTarget> = {}): SshTarget =>
    labTarget(lab, name, overrides, { connectTimeoutMs: 5000 });
  async function open(
    targets: SshTarget[],
    interaction: Interaction = nonInteractive,
    acceptNewHostKeys = false,
  ): Promise<Fleet> {
    const fleet = await connectAll(targets, { interaction, acceptNewHostKeys });
    fleets.push(fleet);
    return fleet;
  }
  async function failureOf(t: SshTarget, interaction: Interaction = nonInteractive) {
    const fleet = await open([t], interaction);
    const failure = fleet.failures.get(t.name);
    if (!failure) throw new Error(`expected ${t.name} to fail`);
    return failure;
  }

  afterAll(async () => {
    for (const fleet of fleets) await fleet.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  describe('authentication', () => {
    it('logs in with a key file', async () => {
      const fleet = await open([target('web-01')]);
      expect((await fleet.host('web-01').exec(['id', '-un'])).stdout.trim()).toBe('root');
    });

    it('logs in with an encrypted key after asking its passphrase once', async () => {
      const { interaction, asked } = scripted({ passphrase: lab.keys.encryptedPassphrase });
      const fleet = await open([target('app-01', { identityFiles: [lab.keys.encrypted] })], interaction);
      expect((await fleet.host('app-01').exec(['hostname'])).stdout.trim()).toBe('app-01');
      expect(asked).toEqual([`passphrase ${lab.keys.encrypted}`]);
    });

    it('refuses an encrypted key in non-interactive mode and says why', async () => {
      const failure = await failureOf(target('app-01', { identityFiles: [lab.keys.encrypted] }));
      expect(failure.code).toBe('ssh.auth');
      expect(failure.message).toContain(`${lab.keys.encrypted} is encrypted`);
      expect(failure.hint).toContain('ssh-add');
    });

    it('logs in through a real ssh-agent holding the key', async () => {
      const socket = join(scratch, 'agent.sock');
      const agent = await execa('ssh-agent', ['-a', socket, '-s']);
      const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1];
      try {
        await execa('ssh-add', ['-q', lab.keys.root], { env: { SSH_AUTH_SOCK: socket } });
        const fleet = await open([target('db-01', { identityFiles: [], agent: socket })]);
        expect((await fleet.host('db-01').exec(['hostname'])).stdout.trim()).toBe('db-01');
      } finally {
        if (pid) process.kill(Number(pid));
      }
    });

    it('logs in as heal with a password asked through the Interaction', async () => {
      const { interaction, asked } = scripted({ password: lab.healPassword });
      const fleet = await open([target('web-01', { user: 'heal', identityFiles: [] })], interaction);
      expect((await fleet.host('web-01').exec(['id', '-un'])).stdout.trim()).toBe('heal');
      expect(asked).toEqual([`password heal@${host('web-01').address}`]);
    });

    it('lists the methods tried when every one fails', async () => {
      const { interaction } = scripted({ password: 'wrong' });
      const failure = await failureOf(target('web-01', { user: 'heal', identityFiles: [lab.keys.root] }), interaction);
      expect(failure.code).toBe('ssh.auth');
      expect(failure.message).toContain(`tried: key ${lab.keys.root}, password`);
    });
  });

  describe('sessions', () => {
    it('reaches inner-01 through bastion-01: two handshakes on the path', async () => {
      const fleet = await open([target('inner-01')]);
      const inner = fleet.host('inner-01');
      expect((await inner.exec(['hostname'])).stdout.trim()).toBe('inner-01');
      expect(fleet.handshakes()).toEqual([{ name: 'inner-01', own: 1, path: 2 }]);
      expect((await inner.engine.version()).apiVersion).toMatch(/^\d+\.\d+$/);
    });

    it('shares one session between targets on the same machine', async () => {
      const fleet = await open([target('web-01'), target('web-01', { name: 'web-01-as-app' })]);
      expect(fleet.sessionCount).toBe(1);
      expect(fleet.host('web-01').session).toBe(fleet.host('web-01-as-app').session);
    });

    it('uploads a file with mode and owner', async () => {
      const fleet = await open([target('app-01')]);
      const app = fleet.host('app-01');
      const dir = (await app.exec(['mktemp', '-d'])).stdout.trim();
      await app.upload({ remotePath: `${dir}/config.yaml`, content: 'a: 1\n', mode: 0o640, owner: '10001:10001' });
      const seen = await labExec('app-01', ['stat', '-c', '%a %u:%g %s', `${dir}/config.yaml`]);
      expect(seen.stdout.trim()).toBe('640 10001:10001 5');
      await app.exec(['rm', '-rf', '--', dir]);
    });

    it('probes TCP ports from the host itself', async () => {
      const fleet = await open([target('web-01')]);
      const web = fleet.host('web-01');
      expect((await web.probeTcp(host('app-01').address, 22)).state).toBe('open');
      expect((await web.probeTcp(host('app-01').address, 1)).state).toBe('refused');
    });

    it('leaves no session open after close', async () => {
      const before = openSessionCount();
      const fleet = await connectAll([target('db-01')], { interaction: nonInteractive });
      expect(openSessionCount()).toBe(before + 1);
      await fleet.close();
      expect(fleet.host('db-01').session.closed).toBe(true);
      expect(openSessionCount()).toBe(before);
    });
  });

  it('closes its sessions and exits 130 on Ctrl-C', async () => {
    const script = join(scratch, 'interrupted.mts');
    writeFileSync(
      script,
      [
        `import { connectAll, nonInteractive } from ${JSON.stringify(new URL('../../src/remote/index.ts', import.meta.url).pathname)};`,
        `const fleet = await connectAll([${JSON.stringify(target('web-01'))}], { interaction: nonInteractive });`,
        `console.log(fleet.failures.size === 0 ? 'ready' : 'failed');`,
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    const child = execa('node', ['--import', 'tsx', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      reject: false,
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) =>
        chunk.toString().includes('ready') ? resolve() : reject(new Error(chunk.toString())),
      );
    });
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
  });

  describe('host keys', () => {
    it('records an unknown key with --accept-new-host-keys, then knows it', async () => {
      const file = join(scratch, 'known_hosts.accept');
      writeFileSync(file, '');
      await open([target('db-01', { knownHostsFile: file })], nonInteractive, true);
      const recorded = readFileSync(file, 'utf8').trim();
      const official = readFileSync(lab.knownHosts, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${host('db-01').address} `));
      expect(recorded).toBe(official);
      const again = await open([target('db-01', { knownHostsFile: file })]);
      expect(again.failures.size).toBe(0);
      expect(again.host('db-01').session.hostKey.recorded).toBe(false);
    });

    it('refuses an unknown key in non-interactive mode, showing the fingerprint', async () => {
      const failure = await failureOf(target('db-01', { knownHostsFile: join(scratch, 'absent_known_hosts') }));
      expect(failure.code).toBe('ssh.hostkey.unknown');
      expect(failure.message).toMatch(/ED25519 SHA256:[A-Za-z0-9+/]{43}\b/);
    });
  });

  describe('Docker over the SSH session', () => {
    const servers = ['web-01', 'app-01', 'db-01'] as const;
    let fleet: Fleet;
    beforeAll(async () => {
      fleet = await open(servers.map((n) => target(n)));
    });

    it.each(servers)('answers version and container list on %s', async (name) => {
      const h = fleet.host(name);
      expect((await h.engine.version()).version).toBeTruthy();
      expect(Array.isArray(await h.engine.listContainers())).toBe(true);
    });

    it('pulls grafana/pyroscope:1.14.0 on app-01 through the lab registry mirror', async () => {
      const app = fleet.host('app-01');
      const ref = imageRef(componentsOn('app')[0] ?? (undefined as never));
      expect(ref).toBe('grafana/pyroscope:1.14.0');
      await app.engine.pullImage(ref);
      expect((await app.engine.inspectImage(ref))?.tags).toContain(ref);
    });

    it.each(servers)('creates, starts and reads the logs of a container on %s', async (name) => {
      const h = fleet.host(name);
      const ref = imageRef(componentsOn(name.replace('-01', '') as 'web' | 'app' | 'db')[0] ?? (undefined as never));
      await h.engine.pullImage(ref);
      const id = await h.engine.createContainer({
        Image: ref,
        name: `heal-transport-test-${Date.now()}`,
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: [`echo transport-ok on ${name}`],
        Labels: { 'io.heal-pyroscope.test': 'transport' },
      });
      try {
        await h.engine.startContainer(id);
        expect(await h.engine.waitContainer(id)).toBe(0);
        expect(await h.engine.containerLogs(id)).toContain(`transport-ok on ${name}`);
      } finally {
        await h.engine.removeContainer(id);
      }
      expect(fleet.handshakes().find((c) => c.name === name)?.own).toBe(1);
    });

    it("answers Docker's 404 and 304 as values, execs in a container and copies files in and out with tar", async () => {
      const engine = fleet.host('app-01').engine;
      const ref = imageRef(componentsOn('app')[0] ?? (undefined as never));
      await engine.pullImage(ref);
      const name = `heal-engine-test-${Date.now()}`;
      expect(await engine.inspectContainer(name)).toBeUndefined();
      expect(await engine.removeContainer(name)).toBe('absent');
      expect(await engine.stopContainer(name)).toBe('absent');
      expect(await engine.inspectImage('heal-pyroscope/no-such-image:0')).toBeUndefined();
      expect(await engine.removeImage('heal-pyroscope/no-such-image:0')).toEqual({ result: 'absent' });
      const id = await engine.createContainer({
        Image: ref,
        name,
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: ['sleep 300'],
        Labels: { 'io.heal-pyroscope.test': 'transport' },
      });
      try {
        expect(await engine.startContainer(id)).toBe('started');
        expect(await engine.startContainer(name)).toBe('already-running');
        // By ID: refused while a container runs it, whatever tags it has (a tag alone would only be untagged).
        const image = (await engine.inspectImage(ref))!;
        expect(await engine.removeImage(image.id)).toMatchObject({
          result: 'in-use',
          detail: expect.stringContaining('conflict'),
        });
        await engine.putArchive(id, '/tmp', tarOf('hello.txt', 'hello from the engine test\n'));
        expect(
          await engine.execInContainer(id, ['sh', '-c', 'cat /tmp/hello.txt; echo "$GREETING" >&2; exit 3'], {
            env: ['GREETING=from stderr'],
          }),
        ).toMatchObject({
          code: 3,
          stdout: 'hello from the engine test\n',
          stderr: 'from stderr\n',
        });
        const back = await readAll(await engine.getArchive(id, '/tmp/hello.txt'));
        expect(back.subarray(0, 9).toString()).toBe('hello.txt');
        expect(back.toString('latin1')).toContain('hello from the engine test');
        expect(await engine.stopContainer(id, 1)).toBe('stopped');
        expect(await engine.stopContainer(id, 1)).toBe('already-stopped');
        await engine.renameContainer(id, `${name}-renamed`);
        expect(await engine.inspectContainer(`${name}-renamed`)).toMatchObject({ id, running: false, image: ref });
      } finally {
        expect(await engine.removeContainer(id)).toBe('removed');
      }
      const labels = { 'io.heal-pyroscope.test': 'transport' };
      const network = await engine.ensureNetwork(name, labels);
      expect(network.created).toBe(true);
      // The second call finds it and says whose it is (install refuses a same-named one without our labels).
      expect(await engine.ensureNetwork(name, labels)).toEqual({ id: network.id, created: false, labels });
      expect((await engine.listNetworks({ label: 'io.heal-pyroscope.test=transport' })).map((n) => n.name)).toContain(
        name,
      );
      expect(await engine.removeNetwork(network.id)).toBe('removed');
      expect(await engine.removeNetwork(network.id)).toBe('absent');
      expect(await engine.ensureVolume(name, labels)).toMatchObject({ name, created: true, labels });
      expect(await engine.ensureVolume(name, { other: 'labels' })).toMatchObject({ name, created: false, labels });
      expect((await engine.listVolumes({ label: 'io.heal-pyroscope.test=transport' })).map((v) => v.name)).toContain(
        name,
      );
      expect(await engine.removeVolume(name)).toBe('removed');
      expect(await engine.removeVolume(name)).toBe('absent');
    });
  });

  describe('faults', () => {
    beforeAll(async () => {
      await fault('stop-docker', 'db-01');
      await fault('stop-ssh', 'target-01');
      await fault('rotate-key', 'web-01');
      await fault('stop-ssh', 'inner-01');
      await fault('drop-flow', 'app-01', 'db-01', 9000);
    });
    afterAll(async () => {
      await resetLab();
    });

    it('says the Docker engine is not running when it is stopped', async () => {
      const fleet = await open([target('db-01')]);
      await expect(fleet.host('db-01').engine.version()).rejects.toMatchObject({
        code: 'docker.not-running',
        message: expect.stringContaining('Docker engine on db-01 is not running'),
      });
    });

    it('says the SSH server refused the connection when sshd is stopped', async () => {
      const failure = await failureOf(target('target-01'));
      expect(failure.code).toBe('ssh.refused');
      expect(failure.message).toContain('target-01');
    });

    it('refuses a rotated host key, warns of interception and names the line to remove', async () => {
      const failure = await failureOf(target('web-01'), scripted({ confirm: true }).interaction);
      expect(failure.code).toBe('ssh.hostkey.changed');
      expect(failure.message).toContain('someone may be intercepting the connection');
      expect(failure.message).toContain(lab.knownHosts);
      expect(failure.hint).toMatch(/remove line \d+ of/);
    });

    it("reports a refused connection behind the bastion from the bastion's point of view", async () => {
      const failure = await failureOf(target('inner-01'));
      expect(failure.code).toBe('ssh.refused');
      expect(failure.message).toBe(
        'SSH connection to inner-01 (root@10.214.0.2:22 via bastion-01) was refused: no SSH server listening on port 22',
      );
    });

    it('reports a dropped flow as a probe timeout from the host', async () => {
      const fleet = await open([target('app-01')]);
      expect(await fleet.host('app-01').probeTcp(host('db-01').address, 9000, 1000)).toMatchObject({
        state: 'timeout',
      });
    });

    it('refuses the rotated key even with --accept-new-host-keys', async () => {
      const fleet = await open([target('web-01')], nonInteractive, true);
      expect(fleet.failures.get('web-01')?.code).toBe('ssh.hostkey.changed');
    });
  });
});
