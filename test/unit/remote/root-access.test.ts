import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../src/core/exec-result.js';
import {
  EngineRoot,
  fileTar,
  HELPER_LABEL,
  HELPER_LIFETIME_SECONDS,
  helperArgv,
  helperBody,
  HostRoot,
  NO_HELPER,
  sshRoot,
} from '../../../src/remote/root-access.js';
import { FakeEngine } from '../support/fake-engine.js';

const IMAGE = 'haproxy:3.2.4';

async function headers(tar: Buffer): Promise<Array<{ name: string; mode?: number; uid?: number; gid?: number }>> {
  const out: Array<{ name: string; mode?: number; uid?: number; gid?: number }> = [];
  const x = extract();
  x.on('entry', (h, stream, next) => {
    out.push({ name: h.name, mode: h.mode, uid: h.uid, gid: h.gid });
    stream.resume();
    stream.on('end', next);
  });
  await new Promise<void>((resolve, reject) => {
    x.on('finish', resolve);
    x.on('error', reject);
    Readable.from([tar]).pipe(x);
  });
  return out;
}

describe('root through the engine', () => {
  it("runs the helper as uid 0 with the host's / at /host, host network, NET_ADMIN, self-removing, with only its own label", () => {
    const body = helperBody('heal-pyroscope-root-x', IMAGE);
    expect(body).toMatchObject({
      Image: IMAGE,
      User: '0:0',
      Entrypoint: ['sleep'],
      Cmd: [String(HELPER_LIFETIME_SECONDS)],
      Labels: { [HELPER_LABEL]: 'root' },
      HostConfig: {
        Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }],
        NetworkMode: 'host',
        CapAdd: ['NET_ADMIN', 'NET_RAW'],
        AutoRemove: true,
      },
    });
    // Not the product's label: uninstall and status never take a helper for part of the stack.
    expect(Object.keys(body.Labels ?? {})).toEqual([HELPER_LABEL]);
  });

  it('runs argv under chroot as separate arguments, never as one shell line of them', () => {
    expect(helperArgv(['rm', '-rf', '--', '/opt/x; reboot'], false)).toEqual([
      'chroot',
      '/host',
      'rm',
      '-rf',
      '--',
      '/opt/x; reboot',
    ]);
    const withStdin = helperArgv(['sh', '-c', 'iptables-restore'], true);
    expect(withStdin.slice(0, 2)).toEqual(['sh', '-c']);
    expect(withStdin.slice(3)).toEqual(['sh', 'sh', '-c', 'iptables-restore']);
    expect(withStdin[2]).toContain('chroot /host "$@" </heal-pyroscope-stdin');
  });

  it('writes a file with its owner and mode in the tar header; a named owner is refused', async () => {
    expect(await headers(await fileTar('.config.yaml.heal-1', 'a: 1\n', 0o600, '10001:10001'))).toEqual([
      { name: '.config.yaml.heal-1', mode: 0o600, uid: 10001, gid: 10001 },
    ]);
    await expect(fileTar('x', 'y', 0o600, 'pyroscope:pyroscope')).rejects.toThrow(/numeric uid:gid/);
  });

  it('does not pull its image until the command holds the lock, and says so', async () => {
    const engine = new FakeEngine('app-01');
    const root = new EngineRoot(engine, IMAGE, 'app-01');
    const error = await root.exec(['iptables', '-S']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: NO_HELPER, message: expect.stringContaining(`(${IMAGE}) is not there yet`) });
    expect(engine.calls.filter((c) => c.startsWith('pullImage'))).toEqual([]);
    root.allowPull();
    engine.onExec = (_name, cmd) => ({ stdout: cmd.join(' ') });
    expect(await root.exec(['iptables', '-S'])).toEqual({ code: 0, stdout: 'chroot /host iptables -S', stderr: '' });
    expect(root.pulled).toEqual({ ref: IMAGE, id: expect.stringMatching(/^sha256:/) });
    // One helper for the run: a second command reuses it.
    await root.exec(['true']);
    expect(engine.calls.filter((c) => c.startsWith('createContainer'))).toHaveLength(1);
  });

  it('writes a file to a temporary name through the archive API, then renames it into place', async () => {
    const engine = new FakeEngine('app-01');
    engine.addImage(IMAGE);
    const root = new EngineRoot(engine, IMAGE, 'app-01');
    const commands: string[] = [];
    engine.onExec = (_name, cmd) => {
      commands.push(cmd.join(' '));
      return {};
    };
    await root.upload({
      remotePath: '/opt/heal-pyroscope/app/pyroscope/config.yaml',
      content: 'x',
      mode: 0o600,
      owner: '10001:10001',
    });
    const put = engine.calls.find((c) => c.startsWith('putArchive'));
    expect(put).toMatch(/^putArchive heal-pyroscope-root-[0-9a-f]{8} \/host\/opt\/heal-pyroscope\/app\/pyroscope$/);
    expect(commands).toEqual([
      expect.stringMatching(
        /^chroot \/host mv -f -- \/opt\/heal-pyroscope\/app\/pyroscope\/\.config\.yaml\.heal-[0-9a-f]{8} \/opt\/heal-pyroscope\/app\/pyroscope\/config\.yaml$/,
      ),
    ]);
  });

  it('removes its container on close, and its image only when purge asked for it', async () => {
    const engine = new FakeEngine('db-01');
    engine.addImage(IMAGE);
    const root = new EngineRoot(engine, IMAGE, 'db-01');
    await root.exec(['true']);
    root.dropImageOnClose(IMAGE);
    await root.close();
    const tail = engine.calls.slice(-2);
    expect(tail[0]).toMatch(/^removeContainer heal-pyroscope-root-/);
    expect(tail[1]).toBe(`removeImage ${IMAGE}`);
  });
});

describe('root on a host, chosen on first use', () => {
  const ssh = (calls: string[]) =>
    sshRoot({
      exec: async (argv) => {
        calls.push(`ssh ${argv.join(' ')}`);
        return { code: 0, stdout: '', stderr: '' };
      },
      upload: async () => undefined,
    });
  const idU = (uid: string) => async (): Promise<ExecResult> => ({ code: 0, stdout: `${uid}\n`, stderr: '' });

  it('runs over SSH for root, through the engine for anyone else, and asks who once', async () => {
    const calls: string[] = [];
    const asRoot = new HostRoot(ssh(calls), idU('0'), () => {
      throw new Error('no helper for root');
    });
    await asRoot.exec(['true']);
    expect(asRoot.via).toBe('ssh');
    expect(calls).toEqual(['ssh true']);

    let asked = 0;
    const engine = new FakeEngine('app-01');
    engine.addImage(IMAGE);
    const heal = new HostRoot(
      ssh(calls),
      async () => {
        asked += 1;
        return { code: 0, stdout: '1000\n', stderr: '' };
      },
      () => new EngineRoot(engine, IMAGE, 'app-01'),
    );
    expect(heal.via).toBe('unknown');
    await heal.exec(['true']);
    await heal.exec(['true']);
    expect(heal.via).toBe('engine');
    expect(asked).toBe(1);
  });

  it('passes a pull allowed before the choice on to the engine root', async () => {
    const engine = new FakeEngine('db-01');
    const heal = new HostRoot(ssh([]), idU('1000'), () => new EngineRoot(engine, IMAGE, 'db-01'));
    heal.allowPull();
    await heal.exec(['true']);
    expect(heal.pulled?.ref).toBe(IMAGE);
  });
});
