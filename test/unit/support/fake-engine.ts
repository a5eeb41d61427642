// An Engine in memory for unit tests: containers, images, networks and volumes with Docker's own
// answers (inspect of a missing container is undefined, a second start is 'already-running', an
// image a container uses is refused, a volume in use cannot go), and a log of every changing call.

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HealError } from '../../../src/core/errors.js';
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
} from '../../../src/remote/index.js';

export interface FakeContainer {
  id: string;
  name: string;
  body: ContainerCreateBody;
  imageId: string;
  running: boolean;
  status: string;
  exitCode: number;
}

export interface FakeImage {
  id: string;
  tags: string[];
}

const idOf = (text: string) => createHash('sha256').update(text).digest('hex');

function matches(labels: Record<string, string>, filter: LabelFilter | undefined): boolean {
  if (!filter?.label) return true;
  const [key, value] = filter.label.split('=', 2) as [string, string | undefined];
  return key in labels && (value === undefined || labels[key] === value);
}

export class FakeEngine implements Engine {
  /** Every call that changes something (and every exec), as `method name ...`, in order. */
  readonly calls: string[] = [];
  readonly containers: FakeContainer[] = [];
  readonly images: FakeImage[] = [];
  readonly networks: NetworkSummary[] = [];
  readonly volumes: VolumeSummary[] = [];
  /** Tar streams put into containers, by `container:directory`. */
  readonly archives = new Map<string, Buffer>();
  /** Log text per container name. */
  readonly logs = new Map<string, string>();
  /** References the registry does not serve: pulling them fails. */
  readonly notInRegistry = new Set<string>();
  /** What a command run in a container answers; exit 0 and no output unless a test says otherwise. */
  onExec: (container: string, cmd: readonly string[], env: readonly string[]) => Partial<ExecOutput> = () => ({});
  private serial = 0;

  constructor(readonly where = 'fake-host') {}

  // --- building the engine's state in a test ---

  addImage(ref: string, id = `sha256:${idOf(ref)}`): FakeImage {
    const existing = this.images.find((i) => i.id === id);
    if (existing) {
      if (!existing.tags.includes(ref)) existing.tags.push(ref);
      return existing;
    }
    for (const image of this.images) image.tags = image.tags.filter((t) => t !== ref);
    const image = { id, tags: [ref] };
    this.images.push(image);
    return image;
  }

  addContainer(
    name: string,
    options: { image?: string; labels?: Record<string, string>; running?: boolean; volume?: string } = {},
  ): FakeContainer {
    const image = options.image ?? 'busybox:1';
    const body: ContainerCreateBody = {
      name,
      Image: image,
      Labels: options.labels ?? {},
      ...(options.volume
        ? { HostConfig: { Mounts: [{ Type: 'volume' as const, Source: options.volume, Target: '/data' }] } }
        : {}),
    };
    const container: FakeContainer = {
      id: `${name}-${++this.serial}`,
      name,
      body,
      imageId: this.findImage(image)?.id ?? this.addImage(image).id,
      running: options.running ?? true,
      status: options.running === false ? 'exited' : 'running',
      exitCode: 0,
    };
    this.containers.push(container);
    return container;
  }

  addNetwork(name: string, labels: Record<string, string> = {}): NetworkSummary {
    const network = { id: `net-${name}-${++this.serial}`, name, labels };
    this.networks.push(network);
    return network;
  }

  addVolume(name: string, labels: Record<string, string> = {}): VolumeSummary {
    const volume = { name, labels };
    this.volumes.push(volume);
    return volume;
  }

  container(nameOrId: string): FakeContainer | undefined {
    return this.containers.find((c) => c.id === nameOrId || c.name === nameOrId);
  }

  // --- the Engine ---

  async version(): Promise<EngineVersion> {
    return { version: '27.5.1', apiVersion: '1.47' };
  }

  async info(): Promise<EngineInfo> {
    return { rootDir: '/var/lib/docker', labels: [], mirrors: [] };
  }

  async listContainers(filter?: LabelFilter): Promise<ContainerSummary[]> {
    return this.containers
      .filter((c) => matches(c.body.Labels ?? {}, filter))
      .map((c) => ({
        id: c.id,
        name: c.name,
        image: c.body.Image,
        imageId: c.imageId,
        labels: c.body.Labels ?? {},
        state: c.running ? 'running' : c.status,
        publishedPorts: Object.values(c.body.HostConfig?.PortBindings ?? {}).flatMap((b) =>
          b.map((p) => Number(p.HostPort)),
        ),
      }));
  }

  async inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined> {
    const c = this.container(nameOrId);
    if (!c) return undefined;
    const ports = Object.entries(c.body.HostConfig?.PortBindings ?? {}).flatMap(([port, b]) =>
      b.map((p) => ({ container: port, host: p.HostPort })),
    );
    return {
      id: c.id,
      name: c.name,
      image: c.body.Image,
      imageId: c.imageId,
      labels: c.body.Labels ?? {},
      env: c.body.Env ?? [],
      running: c.running,
      status: c.status,
      exitCode: c.exitCode,
      ports,
    };
  }

  async createContainer(body: ContainerCreateBody): Promise<string> {
    this.calls.push(`createContainer ${body.name}`);
    if (this.container(body.name))
      throw this.failure(
        `create container ${body.name}`,
        `Conflict. The container name "/${body.name}" is already in use`,
      );
    const image = this.findImage(body.Image);
    if (!image) throw this.failure(`create container ${body.name}`, `No such image: ${body.Image}`);
    const container: FakeContainer = {
      id: `${body.name}-${++this.serial}`,
      name: body.name,
      body,
      imageId: image.id,
      running: false,
      status: 'created',
      exitCode: 0,
    };
    this.containers.push(container);
    return container.id;
  }

  async startContainer(nameOrId: string): Promise<'started' | 'already-running'> {
    const c = this.existing(nameOrId, 'start container');
    this.calls.push(`startContainer ${c.name}`);
    if (c.running) return 'already-running';
    c.running = true;
    c.status = 'running';
    return 'started';
  }

  async stopContainer(nameOrId: string): Promise<'stopped' | 'already-stopped' | 'absent'> {
    const c = this.container(nameOrId);
    this.calls.push(`stopContainer ${c?.name ?? nameOrId}`);
    if (!c) return 'absent';
    if (!c.running) return 'already-stopped';
    c.running = false;
    c.status = 'exited';
    return 'stopped';
  }

  async renameContainer(nameOrId: string, newName: string): Promise<void> {
    const c = this.existing(nameOrId, `rename container ${nameOrId}`);
    this.calls.push(`renameContainer ${c.name} ${newName}`);
    if (this.container(newName))
      throw this.failure(
        `rename container ${nameOrId}`,
        `Conflict. The container name "/${newName}" is already in use`,
      );
    c.name = newName;
  }

  async removeContainer(nameOrId: string): Promise<'removed' | 'absent'> {
    const c = this.container(nameOrId);
    this.calls.push(`removeContainer ${c?.name ?? nameOrId}`);
    if (!c) return 'absent';
    this.containers.splice(this.containers.indexOf(c), 1);
    return 'removed';
  }

  async waitContainer(nameOrId: string): Promise<number> {
    const c = this.existing(nameOrId, 'wait for container');
    c.running = false;
    c.status = 'exited';
    return c.exitCode;
  }

  async containerLogs(nameOrId: string, tail?: number): Promise<string> {
    const c = this.existing(nameOrId, 'read the log of container');
    const lines = (this.logs.get(c.name) ?? '').split('\n');
    return (tail ? lines.slice(-tail) : lines).join('\n');
  }

  /** The log as the engine sends it: one stdout frame per line, each with a timestamp (a second apart from 2026-01-01). */
  async logStream(nameOrId: string, request: LogRequest): Promise<LogStream | undefined> {
    const c = this.containers.find((x) => x.id === nameOrId || x.name === nameOrId);
    if (!c) return undefined;
    this.calls.push(`logStream ${c.name}`);
    const text = this.logs.get(c.name) ?? '';
    let lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    if (request.tail !== undefined) lines = request.tail === 0 ? [] : lines.slice(-request.tail);
    const frames = lines.map((line, i) => {
      const payload = Buffer.from(
        `${new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace('Z', '000000Z')} ${line}\n`,
      );
      const header = Buffer.alloc(8);
      header[0] = 1;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    });
    const stream = Readable.from(frames);
    return { stream, multiplexed: true, close: () => stream.destroy() };
  }

  async execInContainer(
    nameOrId: string,
    cmd: readonly string[],
    options: { env?: readonly string[] } = {},
  ): Promise<ExecOutput> {
    const c = this.existing(nameOrId, `run ${cmd[0]} in container`);
    this.calls.push(`execInContainer ${c.name} ${cmd.join(' ')}`);
    if (!c.running) throw this.failure(`run ${cmd[0]} in container ${c.name}`, `container ${c.id} is not running`);
    const answer = this.onExec(c.name, cmd, options.env ?? []);
    const stdout = answer.stdout ?? '';
    const stderr = answer.stderr ?? '';
    return { code: answer.code ?? 0, stdout, stderr, output: answer.output ?? stdout + stderr };
  }

  async getArchive(nameOrId: string, path: string): Promise<NodeJS.ReadableStream> {
    const c = this.existing(nameOrId, `read ${path} from container`);
    const tar = this.archives.get(`${c.name}:${path}`);
    if (!tar)
      throw this.failure(
        `read ${path} from container ${c.name}`,
        `Could not find the file ${path} in container ${c.name}`,
      );
    return Readable.from([tar]);
  }

  async putArchive(nameOrId: string, directory: string, tar: NodeJS.ReadableStream): Promise<void> {
    const c = this.existing(nameOrId, `write into ${directory} of container`);
    this.calls.push(`putArchive ${c.name} ${directory}`);
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(Buffer.from(chunk as Buffer));
    this.archives.set(`${c.name}:${directory}`, Buffer.concat(chunks));
  }

  /** Names of paused containers. */
  readonly paused = new Set<string>();
  /** Bytes a volume holds, for volumeSizes (0 unless a test says otherwise). */
  readonly volumeBytes = new Map<string, number>();

  async pauseContainer(nameOrId: string): Promise<'paused' | 'not-running'> {
    const c = this.existing(nameOrId, 'pause container');
    this.calls.push(`pauseContainer ${c.name}`);
    if (!c.running) return 'not-running';
    this.paused.add(c.name);
    return 'paused';
  }

  async unpauseContainer(nameOrId: string): Promise<'unpaused' | 'not-paused'> {
    const c = this.container(nameOrId);
    this.calls.push(`unpauseContainer ${c?.name ?? nameOrId}`);
    if (!c || !this.paused.delete(c.name)) return 'not-paused';
    return 'unpaused';
  }

  async volumeSizes(): Promise<Map<string, number>> {
    return new Map(this.volumes.map((v) => [v.name, this.volumeBytes.get(v.name) ?? 0]));
  }

  async listNetworks(filter: LabelFilter & { name?: string } = {}): Promise<NetworkSummary[]> {
    return this.networks.filter(
      (n) => (filter.name === undefined || n.name === filter.name) && matches(n.labels, filter),
    );
  }

  async ensureNetwork(
    name: string,
    labels: Record<string, string>,
  ): Promise<{ id: string; created: boolean; labels: Record<string, string> }> {
    const existing = this.networks.find((n) => n.name === name);
    if (existing) return { id: existing.id, created: false, labels: existing.labels };
    this.calls.push(`createNetwork ${name}`);
    return { id: this.addNetwork(name, labels).id, created: true, labels };
  }

  async removeNetwork(nameOrId: string): Promise<'removed' | 'absent'> {
    const n = this.networks.find((x) => x.id === nameOrId || x.name === nameOrId);
    this.calls.push(`removeNetwork ${n?.name ?? nameOrId}`);
    if (!n) return 'absent';
    this.networks.splice(this.networks.indexOf(n), 1);
    return 'removed';
  }

  async listVolumes(filter?: LabelFilter): Promise<VolumeSummary[]> {
    return this.volumes.filter((v) => matches(v.labels, filter));
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<VolumeSummary & { created: boolean }> {
    const existing = this.volumes.find((v) => v.name === name);
    if (existing) return { ...existing, created: false };
    this.calls.push(`createVolume ${name}`);
    return { ...this.addVolume(name, labels), created: true };
  }

  async removeVolume(name: string): Promise<'removed' | 'absent'> {
    this.calls.push(`removeVolume ${name}`);
    const v = this.volumes.find((x) => x.name === name);
    if (!v) return 'absent';
    const user = this.containers.find((c) =>
      (c.body.HostConfig?.Mounts ?? []).some((m) => m.Type === 'volume' && m.Source === name),
    );
    if (user) throw this.failure(`remove volume ${name}`, `remove ${name}: volume is in use - [${user.id}]`);
    this.volumes.splice(this.volumes.indexOf(v), 1);
    return 'removed';
  }

  async listImages(): Promise<ImageSummary[]> {
    return this.images.map((i) => ({ id: i.id, tags: [...i.tags], digests: [] }));
  }

  async inspectImage(ref: string): Promise<ImageSummary | undefined> {
    const image = this.findImage(ref);
    return image ? { id: image.id, tags: [...image.tags], digests: [] } : undefined;
  }

  async pullImage(ref: string, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    this.calls.push(`pullImage ${ref}`);
    if (signal?.aborted)
      throw new HealError({
        code: 'docker.pull',
        message: `Pulling ${ref} on ${this.where} failed: cancelled (interrupted)`,
      });
    if (this.notInRegistry.has(ref))
      throw new HealError({ code: 'docker.pull', message: `Pulling ${ref} on ${this.where} failed: manifest unknown` });
    onProgress?.({ status: 'Pull complete', id: idOf(ref).slice(0, 12) });
    this.addImage(ref);
  }

  async removeImage(ref: string): Promise<ImageRemoval> {
    this.calls.push(`removeImage ${ref}`);
    const image = this.findImage(ref);
    if (!image) return { result: 'absent' };
    // A tag of an image with other tags is only untagged, as Docker does.
    if (image.tags.includes(ref) && image.tags.length > 1) {
      image.tags = image.tags.filter((t) => t !== ref);
      return { result: 'removed' };
    }
    const user = this.containers.find((c) => c.imageId === image.id);
    if (user)
      return {
        result: 'in-use',
        detail: `conflict: unable to remove repository reference "${ref}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${image.id.slice(7, 19)}`,
      };
    this.images.splice(this.images.indexOf(image), 1);
    return { result: 'removed' };
  }

  async loadImage(tar: NodeJS.ReadableStream, what: string): Promise<void> {
    this.calls.push(`loadImage ${what}`);
    for await (const _chunk of tar) void _chunk;
    this.addImage(what);
  }

  async saveImage(ref: string): Promise<NodeJS.ReadableStream> {
    if (!this.findImage(ref)) throw this.failure(`save image ${ref}`, `reference does not exist`);
    return Readable.from([Buffer.from(`docker save ${ref}`)]);
  }

  async registryAnswer(ref: string): Promise<RegistryAnswer> {
    return this.notInRegistry.has(ref)
      ? { state: 'not-found', detail: 'manifest unknown' }
      : { state: 'found', digest: `sha256:${idOf(ref)}` };
  }

  // --- internals ---

  private findImage(ref: string): FakeImage | undefined {
    return this.images.find((i) => i.id === ref || i.tags.includes(ref));
  }

  private existing(nameOrId: string, what: string): FakeContainer {
    const c = this.container(nameOrId);
    if (!c) throw this.failure(`${what} ${nameOrId}`, `No such container: ${nameOrId}`);
    return c;
  }

  private failure(what: string, detail: string): HealError {
    return new HealError({
      code: 'docker.api',
      message: `Docker engine on ${this.where} could not ${what}: ${detail}`,
    });
  }
}
