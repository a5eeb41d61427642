// `images save FILE`: on a machine that can pull, pulls every pinned image into its local Docker
// engine and writes them into one archive for `install --images-from FILE` at air-gapped sites.
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode } from '../../errors.js';
import { writeArchive } from '../../images/archive.js';
import { resolveImages, type ImageOverrides } from '../../stack/image-ref.js';
import { loadFileFor, type GatherContext } from '../gather.js';

export interface ImagesSaveFlags {
  config?: string;
  registryPrefix?: string;
  image?: ImageOverrides;
  dockerSocket?: string;
}

export const DEFAULT_LOCAL_SOCKET = '/var/run/docker.sock';

/** --docker-socket, else a unix:// DOCKER_HOST, else the default socket. */
export function localSocket(flags: ImagesSaveFlags, env: NodeJS.ProcessEnv): string {
  if (flags.dockerSocket) return flags.dockerSocket;
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : DEFAULT_LOCAL_SOCKET;
}

export async function runImagesSave(file: string, flags: ImagesSaveFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  const path = resolve(ctx.cwd, file);
  // The same images an install with these settings runs: flags over the config file's.
  const { file: config } = await loadFileFor(flags, ctx.cwd);
  const refs = [...new Set(Object.values(resolveImages(flags.registryPrefix ?? config?.registry?.prefix, { ...config?.images, ...flags.image })))];
  const remote = await import('../../remote/index.js');
  const socket = localSocket(flags, ctx.env);
  const engine = await remote.localEngine(socket);
  const work = await mkdtemp(join(tmpdir(), 'heal-pyroscope-images-'));
  // Written beside the target and renamed at the end: an interrupted save leaves no half archive.
  const partial = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  try {
    const saved: Array<{ ref: string; file: string }> = [];
    for (const ref of refs) {
      out.say(`pull ${ref}`);
      await engine.pullImage(ref);
      const tar = join(work, `${saved.length}.tar`);
      await remote.saveImageFile(engine, ref, tar);
      saved.push({ ref, file: tar });
    }
    await writeArchive(partial, saved);
    await rename(partial, path);
    const { size } = await stat(path);
    out.say(`Wrote ${path} (${(size / 1024 / 1024).toFixed(1)} MiB, ${refs.length} images).`);
    out.say(`Next, on a machine that reaches the hosts: heal-pyroscope install --images-from ${file}`);
    out.result({ ok: true, path, size, images: refs });
    return ExitCode.ok;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
