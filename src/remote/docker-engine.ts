// The Engine over dockerode (whose every request rides the host's SSH session, docker-client.ts).
// The one place where Docker's answers are interpreted: 404 and 304 become values, any other
// failure a HealError naming the host and what was being done.

import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { HealError, isHealError } from '../core/errors.js';
import { inspectDistribution, loadImage, pullImage } from './docker-client.js';
import { demux } from './docker-stream.js';
import type {
  ContainerCreateBody,
  ContainerDetails,
  ContainerSummary,
  Engine,
  EngineInfo,
  EngineVersion,
  ExecOutput,
  ImageRemoval,
  ImageSummary,
  LabelFilter,
  LogRequest,
  LogStream,
  NetworkSummary,
  PullProgress,
  RegistryAnswer,
  VolumeSummary,
} from './engine.js';

type Answers<A> = Partial<Record<number, (detail: string) => A>>;

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** The engine's own words (its JSON `message`), else dockerode's. */
function detailOf(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return (e.json?.message ?? e.message ?? String(error)).trim();
}

function labelFilters(filter: LabelFilter | undefined): { filters?: { label: string[] } } {
  return filter?.label ? { filters: { label: [filter.label] } } : {};
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function toSummary(info: Docker.ContainerInfo): ContainerSummary {
  return {
    id: info.Id,
    name: (info.Names?.[0] ?? '').replace(/^\//, ''),
    image: info.Image,
    imageId: info.ImageID,
    labels: info.Labels ?? {},
    state: info.State,
    publishedPorts: [
      ...new Set((info.Ports ?? []).map((p) => p.PublicPort).filter((p): p is number => typeof p === 'number')),
    ],
  };
}

function toDetails(info: Docker.ContainerInspectInfo): ContainerDetails {
  const ports = Object.entries(info.NetworkSettings?.Ports ?? {}).flatMap(([port, bindings]) =>
    (bindings ?? []).map((b) => ({ container: port, host: b.HostPort })),
  );
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    imageId: info.Image,
    labels: info.Config.Labels ?? {},
    env: info.Config.Env ?? [],
    running: info.State.Running,
    status: info.State.Status,
    exitCode: info.State.ExitCode,
    ports,
  };
}

function toVolume(info: { Name: string; Labels?: Record<string, string> | null }): VolumeSummary {
  return { name: info.Name, labels: info.Labels ?? {} };
}

function toImage(info: {
  Id: string;
  RepoTags?: string[] | undefined;
  RepoDigests?: string[] | undefined;
}): ImageSummary {
  return { id: info.Id, tags: info.RepoTags ?? [], digests: info.RepoDigests ?? [] };
}

export class DockerEngine implements Engine {
  constructor(
    private readonly docker: Docker,
    /** Names the engine in errors: the host's name, or `this machine (socket)`. */
    private readonly where: string,
  ) {}

  /**
   * One API call. A status listed in `answers` is an answer (e.g. 404: absent), returned as the
   * value it maps to; the HealError of a channel that cannot be opened passes unchanged; any other
   * failure becomes a HealError saying what could not be done where.
   */
  private async call<T, A = never>(
    what: string,
    operation: () => Promise<T>,
    answers: Answers<A> = {},
  ): Promise<T | A> {
    try {
      return await operation();
    } catch (error) {
      if (isHealError(error)) throw error;
      const answer = answers[statusOf(error) ?? -1];
      if (answer) return answer(detailOf(error));
      throw new HealError({
        code: 'docker.api',
        message: `Docker engine on ${this.where} could not ${what}: ${detailOf(error)}`,
        hint: 'Check the engine log on the host (journalctl -u docker)',
        cause: error,
      });
    }
  }

  version(): Promise<EngineVersion> {
    return this.call('report its version', async () => {
      const v = await this.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion };
    });
  }

  info(): Promise<EngineInfo> {
    return this.call('report its settings', async () => {
      const info = (await this.docker.info()) as {
        DockerRootDir?: string;
        Labels?: string[];
        RegistryConfig?: { Mirrors?: string[] };
      };
      return {
        rootDir: info.DockerRootDir ?? '/var/lib/docker',
        labels: info.Labels ?? [],
        mirrors: info.RegistryConfig?.Mirrors ?? [],
      };
    });
  }

  listContainers(filter?: LabelFilter): Promise<ContainerSummary[]> {
    return this.call('list containers', async () =>
      (await this.docker.listContainers({ all: true, ...labelFilters(filter) })).map(toSummary),
    );
  }

  inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined> {
    return this.call(
      `inspect container ${nameOrId}`,
      async () => toDetails(await this.docker.getContainer(nameOrId).inspect()),
      { 404: () => undefined },
    );
  }

  createContainer(body: ContainerCreateBody): Promise<string> {
    return this.call(
      `create container ${body.name}`,
      async () => (await this.docker.createContainer(body as Docker.ContainerCreateOptions)).id,
    );
  }

  startContainer(nameOrId: string): Promise<'started' | 'already-running'> {
    return this.call(
      `start container ${nameOrId}`,
      () =>
        this.docker
          .getContainer(nameOrId)
          .start()
          .then(() => 'started' as const),
      { 304: () => 'already-running' as const },
    );
  }

  stopContainer(nameOrId: string, timeoutSeconds?: number): Promise<'stopped' | 'already-stopped' | 'absent'> {
    const options = timeoutSeconds === undefined ? {} : { t: timeoutSeconds };
    return this.call(
      `stop container ${nameOrId}`,
      () =>
        this.docker
          .getContainer(nameOrId)
          .stop(options)
          .then(() => 'stopped' as const),
      {
        304: () => 'already-stopped' as const,
        404: () => 'absent' as const,
      },
    );
  }

  async renameContainer(nameOrId: string, newName: string): Promise<void> {
    await this.call(`rename container ${nameOrId} to ${newName}`, () =>
      this.docker.getContainer(nameOrId).rename({ name: newName }),
    );
  }

  removeContainer(nameOrId: string): Promise<'removed' | 'absent'> {
    return this.call(
      `remove container ${nameOrId}`,
      () =>
        this.docker
          .getContainer(nameOrId)
          .remove({ force: true, v: true })
          .then(() => 'removed' as const),
      {
        404: () => 'absent' as const,
      },
    );
  }

  waitContainer(nameOrId: string): Promise<number> {
    return this.call(
      `wait for container ${nameOrId}`,
      async () => ((await this.docker.getContainer(nameOrId).wait()) as { StatusCode: number }).StatusCode,
    );
  }

  containerLogs(nameOrId: string, tail?: number): Promise<string> {
    return this.call(`read the log of container ${nameOrId}`, async () => {
      const logs: Buffer | NodeJS.ReadableStream = await this.docker
        .getContainer(nameOrId)
        .logs({ stdout: true, stderr: true, follow: false, ...(tail ? { tail } : {}) });
      return demux(Buffer.isBuffer(logs) ? logs : await readAll(logs)).all;
    });
  }

  async logStream(nameOrId: string, request: LogRequest): Promise<LogStream | undefined> {
    const what = `read the log of container ${nameOrId}`;
    const info = await this.call(`inspect container ${nameOrId}`, () => this.docker.getContainer(nameOrId).inspect(), {
      404: () => undefined,
    });
    if (!info) return undefined;
    const options = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(request.tail !== undefined ? { tail: request.tail } : {}),
      ...(request.since !== undefined ? { since: request.since } : {}),
    };
    // dockerode's own logs() buffers the whole log unless following: dialled as a stream instead,
    // so a long log passes through in chunks and memory stays flat.
    const answer = await this.call(
      what,
      () =>
        new Promise<NodeJS.ReadableStream>((resolve, reject) => {
          (
            this.docker.modem as { dial(options: object, callback: (error: unknown, data: unknown) => void): void }
          ).dial(
            {
              path: `/containers/${encodeURIComponent(nameOrId)}/logs?`,
              method: 'GET',
              isStream: true,
              statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
              options: { ...options, follow: request.follow },
            },
            (error, data) => (error ? reject(error) : resolve(data as NodeJS.ReadableStream)),
          );
        }),
    );
    const stream = Buffer.isBuffer(answer) ? Readable.from([answer]) : answer;
    return {
      stream,
      multiplexed: !info.Config.Tty,
      // Destroying the response closes its SSH channel; the session itself stays open.
      close: () => (stream as Readable).destroy(),
    };
  }

  execInContainer(
    nameOrId: string,
    cmd: readonly string[],
    options: { env?: readonly string[] } = {},
  ): Promise<ExecOutput> {
    return this.call(`run ${cmd[0] ?? 'a command'} in container ${nameOrId}`, async () => {
      const exec = await this.docker
        .getContainer(nameOrId)
        .exec({ Cmd: [...cmd], Env: [...(options.env ?? [])], AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      const info = (await exec.inspect()) as { ExitCode: number | null };
      const out = demux(Buffer.concat(chunks));
      return { code: info.ExitCode ?? -1, stdout: out.stdout, stderr: out.stderr, output: out.all };
    });
  }

  getArchive(nameOrId: string, path: string): Promise<NodeJS.ReadableStream> {
    return this.call(`read ${path} from container ${nameOrId}`, () =>
      this.docker.getContainer(nameOrId).getArchive({ path }),
    );
  }

  async putArchive(nameOrId: string, directory: string, tar: NodeJS.ReadableStream): Promise<void> {
    await this.call(`write into ${directory} of container ${nameOrId}`, async () => {
      const response: unknown = await this.docker.getContainer(nameOrId).putArchive(tar, { path: directory });
      // The answer is an empty body; reading it to the end frees the channel.
      if (response && typeof (response as NodeJS.ReadableStream).pipe === 'function')
        await readAll(response as NodeJS.ReadableStream);
    });
  }

  pauseContainer(nameOrId: string): Promise<'paused' | 'not-running'> {
    return this.call(
      `pause container ${nameOrId}`,
      () =>
        this.docker
          .getContainer(nameOrId)
          .pause()
          .then(() => 'paused' as const),
      { 409: () => 'not-running' as const },
    );
  }

  unpauseContainer(nameOrId: string): Promise<'unpaused' | 'not-paused'> {
    return this.call(
      `unpause container ${nameOrId}`,
      () =>
        this.docker
          .getContainer(nameOrId)
          .unpause()
          .then(() => 'unpaused' as const),
      {
        409: () => 'not-paused' as const,
        404: () => 'not-paused' as const,
      },
    );
  }

  listNetworks(filter: LabelFilter & { name?: string } = {}): Promise<NetworkSummary[]> {
    const filters = {
      ...(filter.name ? { name: [filter.name] } : {}),
      ...(filter.label ? { label: [filter.label] } : {}),
    };
    return this.call('list networks', async () =>
      (await this.docker.listNetworks({ filters }))
        .filter((n) => filter.name === undefined || n.Name === filter.name)
        .map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
    );
  }

  async ensureNetwork(
    name: string,
    labels: Record<string, string>,
  ): Promise<{ id: string; created: boolean; labels: Record<string, string> }> {
    const existing = (await this.listNetworks({ name }))[0];
    if (existing) return { id: existing.id, created: false, labels: existing.labels };
    const created = await this.call(
      `create network ${name}`,
      async () =>
        (await this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true })).id,
      {
        // Created meanwhile (another tier on this machine): it is there, and not ours to undo.
        409: () => undefined,
      },
    );
    if (created !== undefined) return { id: created, created: true, labels };
    const now = (await this.listNetworks({ name }))[0];
    if (!now)
      throw new HealError({
        code: 'docker.api',
        message: `Docker engine on ${this.where} reports network ${name} both present and absent`,
      });
    return { id: now.id, created: false, labels: now.labels };
  }

  removeNetwork(nameOrId: string): Promise<'removed' | 'absent'> {
    return this.call(
      `remove network ${nameOrId}`,
      () =>
        this.docker
          .getNetwork(nameOrId)
          .remove()
          .then(() => 'removed' as const),
      { 404: () => 'absent' as const },
    );
  }

  listVolumes(filter?: LabelFilter): Promise<VolumeSummary[]> {
    return this.call('list volumes', async () =>
      ((await this.docker.listVolumes(labelFilters(filter))).Volumes ?? []).map(toVolume),
    );
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<VolumeSummary & { created: boolean }> {
    const inspect = () =>
      this.call(`inspect volume ${name}`, async () => toVolume(await this.docker.getVolume(name).inspect()), {
        404: () => undefined,
      });
    const found = await inspect();
    if (found) return { ...found, created: false };
    await this.call(`create volume ${name}`, () => this.docker.createVolume({ Name: name, Labels: labels }));
    const made = await inspect();
    if (!made)
      throw new HealError({
        code: 'docker.api',
        message: `Docker engine on ${this.where} created volume ${name} but does not find it`,
      });
    return { ...made, created: true };
  }

  removeVolume(name: string): Promise<'removed' | 'absent'> {
    return this.call(
      `remove volume ${name}`,
      () =>
        this.docker
          .getVolume(name)
          .remove()
          .then(() => 'removed' as const),
      { 404: () => 'absent' as const },
    );
  }

  volumeSizes(): Promise<Map<string, number>> {
    return this.call('report volume sizes', async () => {
      const df = (await this.docker.df()) as {
        Volumes?: Array<{ Name: string; UsageData?: { Size?: number } | null }> | null;
      };
      return new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
    });
  }

  listImages(): Promise<ImageSummary[]> {
    return this.call('list images', async () => (await this.docker.listImages()).map(toImage));
  }

  inspectImage(ref: string): Promise<ImageSummary | undefined> {
    return this.call(`inspect image ${ref}`, async () => toImage(await this.docker.getImage(ref).inspect()), {
      404: () => undefined,
    });
  }

  pullImage(ref: string, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    return pullImage(this.docker, ref, this.where, onProgress, signal);
  }

  removeImage(ref: string): Promise<ImageRemoval> {
    // No force: Docker refuses (409) an image a container still uses, whoever created it.
    return this.call<ImageRemoval, ImageRemoval>(
      `remove image ${ref}`,
      () =>
        this.docker
          .getImage(ref)
          .remove()
          .then(() => ({ result: 'removed' })),
      {
        409: (detail) => ({ result: 'in-use', detail }),
        404: () => ({ result: 'absent' }),
      },
    );
  }

  loadImage(tar: NodeJS.ReadableStream, what: string): Promise<void> {
    return loadImage(this.docker, tar, what, this.where);
  }

  saveImage(ref: string): Promise<NodeJS.ReadableStream> {
    return this.call(`save image ${ref}`, () => this.docker.getImage(ref).get());
  }

  registryAnswer(ref: string, timeoutMs: number): Promise<RegistryAnswer> {
    return inspectDistribution(this.docker, ref, timeoutMs);
  }
}
