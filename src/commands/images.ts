// `images save FILE`: on a machine that can pull, pulls every pinned image into its local Docker
// engine and writes them into one archive for `install --images-from FILE` at air-gapped sites.
import { mkdtemp, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, HealError } from '../core/errors.js';
import { writeArchive } from '../images/archive.js';
import type { LocalDocker } from '../remote/index.js';
import { resolveImages, type ImageOverrides } from '../stack/image-ref.js';
import { loadFileFor, type GatherContext } from '../console/gather.js';

export interface ImagesSaveFlags {
  config?: string;
  registryPrefix?: string;
  image?: ImageOverrides;
  dockerSocket?: string;
}

export const DEFAULT_LOCAL_SOCKET = '/var/run/docker.sock';
/** Docker's own default for a tcp:// DOCKER_HOST without a port (plain HTTP). */
const DEFAULT_DOCKER_TCP_PORT = 2375;

function dockerHostError(message: string, hint: string): HealError {
  return new HealError({ code: 'docker.local.host', message, hint, exitCode: ExitCode.usage });
}

/** --docker-socket, else DOCKER_HOST (unix:// or plain tcp://), else the default socket. */
export function localDocker(flags: ImagesSaveFlags, env: NodeJS.ProcessEnv): LocalDocker {
  if (flags.dockerSocket) return { socketPath: flags.dockerSocket };
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { socketPath: DEFAULT_LOCAL_SOCKET };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || DEFAULT_LOCAL_SOCKET };
  if (host.startsWith('tcp://')) {
    // Docker turns TLS on for any non-empty DOCKER_TLS_VERIFY; talking plain HTTP instead would be wrong.
    if (env.DOCKER_TLS_VERIFY) {
      throw dockerHostError(
        `DOCKER_HOST=${host} with DOCKER_TLS_VERIFY set: TLS to a Docker engine is not supported yet`,
        'run images save on a machine whose engine has a unix socket (--docker-socket PATH), or where plain ' +
          'tcp:// without DOCKER_TLS_VERIFY reaches it',
      );
    }
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      throw dockerHostError(
        `DOCKER_HOST=${host} is not a tcp://HOST:PORT address`,
        'set DOCKER_HOST=tcp://HOST:PORT, or name a local socket with --docker-socket',
      );
    }
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!hostname || (url.pathname !== '' && url.pathname !== '/')) {
      throw dockerHostError(
        `DOCKER_HOST=${host} is not a tcp://HOST:PORT address`,
        'set DOCKER_HOST=tcp://HOST:PORT, or name a local socket with --docker-socket',
      );
    }
    return { host: hostname, port: url.port ? Number(url.port) : DEFAULT_DOCKER_TCP_PORT };
  }
  throw dockerHostError(
    `DOCKER_HOST=${host} is not supported: images save reaches its Docker engine over unix:// or tcp:// only`,
    'name the engine socket with --docker-socket PATH, or set DOCKER_HOST=unix:///PATH or tcp://HOST:PORT',
  );
}

/**
 * Proves the archive can be written before anything is pulled: the target is not a directory and
 * its partial file can be created beside it. Returns that partial file.
 */
export async function claimOutput(path: string): Promise<string> {
  const dir = dirname(path);
  const refuse = (why: string, hint: string) =>
    new HealError({
      code: 'images.output',
      message: `cannot write the archive ${path}: ${why}`,
      hint,
      exitCode: ExitCode.usage,
    });
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    throw refuse('it is a directory', `name a file, e.g. ${join(path, 'images.tar')}`);
  const partial = join(dir, `.${basename(path)}.partial-${process.pid}`);
  try {
    await (await open(partial, 'wx', 0o644)).close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw refuse(`directory ${dir} does not exist`, `create it (mkdir -p ${dir}) or choose another path`);
    if (code === 'ENOTDIR') throw refuse(`${dir} is not a directory`, 'choose a path inside a directory');
    if (code === 'EACCES' || code === 'EPERM')
      throw refuse(`no permission to create files in ${dir}`, 'choose a directory you can write to');
    if (code === 'EROFS') throw refuse(`${dir} is on a read-only file system`, 'choose a writable directory');
    throw refuse(`${dir} is not writable (${code ?? (error as Error).message})`, 'choose a directory you can write to');
  }
  return partial;
}

export async function runImagesSave(file: string, flags: ImagesSaveFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  const path = resolve(ctx.cwd, file);
  // The same images an install with these settings runs: flags over the config file's.
  const { file: config } = await loadFileFor(flags, ctx.cwd);
  const refs = [
    ...new Set(
      Object.values(
        resolveImages(flags.registryPrefix ?? config?.registry?.prefix, { ...config?.images, ...flags.image }),
      ),
    ),
  ];
  const docker = localDocker(flags, ctx.env);
  // Written beside the target and renamed at the end: an interrupted save leaves no half archive.
  const partial = await claimOutput(path);
  let work: string | undefined;
  try {
    const remote = await import('../remote/index.js');
    const engine = await remote.localEngine(docker);
    work = await mkdtemp(join(tmpdir(), 'heal-pyroscope-images-'));
    const saved: Array<{ ref: string; file: string; id: string }> = [];
    for (const ref of refs) {
      out.say(`pull ${ref}`);
      await engine.pullImage(ref);
      const tar = join(work, `${saved.length}.tar`);
      // The ID goes into the manifest: install loads nothing whose save tar names another image or tag.
      const image = await engine.inspectImage(ref);
      if (!image) throw new Error(`${ref} is gone from the local engine right after its pull`);
      await remote.saveImageFile(engine, ref, tar);
      saved.push({ ref, file: tar, id: image.id });
    }
    await writeArchive(partial, saved);
    await rename(partial, path);
    const { size } = await stat(path);
    out.say(`Wrote ${path} (${(size / 1024 / 1024).toFixed(1)} MiB, ${refs.length} images).`);
    out.say(`Next, on a machine that reaches the hosts: heal-pyroscope install --images-from ${file}`);
    out.result({ ok: true, path, size, images: refs });
    return ExitCode.ok;
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
