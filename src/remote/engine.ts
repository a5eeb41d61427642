// The Docker engine as checks and phases see it: a narrow interface in our own types. Docker's
// "no such object" (404) and "already in that state" (304) answers become values here, in one
// place (docker-engine.ts), instead of errors each caller filters; unit tests implement it in memory.

export interface EngineVersion {
  version: string;
  apiVersion: string;
}

export interface EngineInfo {
  rootDir: string;
  /** The engine's own labels (`key=value`), which the production guard reads. */
  labels: string[];
  /** Registry mirrors from daemon.json. */
  mirrors: string[];
}

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  /** The reference it was created from (Docker shows the image ID once that tag has moved on). */
  image: string;
  imageId: string;
  labels: Record<string, string>;
  /** Docker's state word: created, running, paused, restarting, exited, dead. */
  state: string;
  /** Host ports it publishes. */
  publishedPorts: number[];
}

export interface ContainerDetails {
  id: string;
  name: string;
  /** The reference in its configuration. */
  image: string;
  imageId: string;
  labels: Record<string, string>;
  /** `KEY=value` from its configuration (never a secret of ours: those are mounted files). */
  env: string[];
  running: boolean;
  /** created, running, exited, ... */
  status: string;
  exitCode: number;
  /** Published ports: container port (`4040/tcp`) and host port, one entry per binding. */
  ports: Array<{ container: string; host: string }>;
}

export interface ImageSummary {
  id: string;
  /** `repo:tag` references. */
  tags: string[];
  /** `repo@sha256:...` references. */
  digests: string[];
}

export interface NetworkSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface VolumeSummary {
  name: string;
  labels: Record<string, string>;
}

/** What `docker rmi` (without force) did: an image a container still uses is refused, not removed. */
export type ImageRemoval = { result: 'removed' } | { result: 'in-use'; detail: string } | { result: 'absent' };

export interface ExecOutput {
  /** The command's exit code (-1 when the engine does not know it). */
  code: number;
  stdout: string;
  stderr: string;
  /** Both streams in the order they came. */
  output: string;
}

export interface PullProgress {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
}

/** What `logs` asks of a container's log (the Engine API's own parameters; timestamps are always requested). */
export interface LogRequest {
  /** Only the last N lines (0: none, with follow: only new ones). */
  tail?: number;
  /** Only lines written at or after this time (Unix seconds). */
  since?: number;
  /** Keep the stream open for new lines until the container stops or `close` is called. */
  follow: boolean;
}

/** A container's log as the engine streams it: raw bytes, multiplexed unless the container has a TTY. */
export interface LogStream {
  stream: NodeJS.ReadableStream;
  multiplexed: boolean;
  /** Ends the stream (closes its channel); a following stream otherwise never ends by itself while the container runs. */
  close(): void;
}

export type RegistryAnswer =
  { state: 'found'; digest: string } | { state: 'not-found' | 'denied' | 'unreachable' | 'error'; detail: string };

/** A selector on labels: `key=value` (or `key` alone for any value). */
export interface LabelFilter {
  label?: string;
}

/** A bind mount of a host path, or a named volume. */
export interface ContainerMount {
  Type: 'bind' | 'volume';
  Source: string;
  Target: string;
  ReadOnly?: boolean;
}

/**
 * The body of a container create (POST /containers/create, `name` being its query parameter): the
 * subset of the Engine API's JSON we send, spelled as the API spells it. Our own type rather than
 * dockerode's, so that phases build the exact request as data (tested without an engine) and the
 * engine only sends it.
 */
export interface ContainerCreateBody {
  name: string;
  Image: string;
  /** `uid:gid` to run as; the image's own USER when absent. */
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig?: {
    Mounts?: ContainerMount[];
    PortBindings?: Record<string, Array<{ HostIp?: string; HostPort: string }>>;
    RestartPolicy?: { Name: string; MaximumRetryCount?: number };
    NetworkMode?: string;
    LogConfig?: { Type: string; Config: Record<string, string> };
    /** Bytes. */
    Memory?: number;
    /** Bytes of memory plus swap; equal to Memory for no swap. */
    MemorySwap?: number;
    SecurityOpt?: string[];
    CapDrop?: string[];
    CapAdd?: string[];
    ReadonlyRootfs?: boolean;
    /** The engine removes the container once it exits. */
    AutoRemove?: boolean;
    /** Path inside the container -> mount options. */
    Tmpfs?: Record<string, string>;
  };
}

export interface Engine {
  /** Also the first call on a host: rejects with the HealError that says why the engine is unusable. */
  version(): Promise<EngineVersion>;
  info(): Promise<EngineInfo>;

  /** Every container, running or not. */
  listContainers(filter?: LabelFilter): Promise<ContainerSummary[]>;
  /** undefined when no container has that name or ID. */
  inspectContainer(nameOrId: string): Promise<ContainerDetails | undefined>;
  /** Creates (does not start) the container; returns its ID. */
  createContainer(body: ContainerCreateBody): Promise<string>;
  startContainer(nameOrId: string): Promise<'started' | 'already-running'>;
  stopContainer(nameOrId: string, timeoutSeconds?: number): Promise<'stopped' | 'already-stopped' | 'absent'>;
  renameContainer(nameOrId: string, newName: string): Promise<void>;
  /** Forced (running or not), with its anonymous volumes; named volumes stay. */
  removeContainer(nameOrId: string): Promise<'removed' | 'absent'>;
  /** Waits until it stops; its exit code. */
  waitContainer(nameOrId: string): Promise<number>;
  /** Its log (stdout and stderr, as they came), the last `tail` lines when given. */
  containerLogs(nameOrId: string, tail?: number): Promise<string>;
  /** Its log as a stream of lines with timestamps (see LogRequest); undefined when no container has that name. */
  logStream(nameOrId: string, request: LogRequest): Promise<LogStream | undefined>;
  /** Runs a command in the running container; `env` (`KEY=value`) is added to its environment only. */
  execInContainer(nameOrId: string, cmd: readonly string[], options?: { env?: readonly string[] }): Promise<ExecOutput>;
  /** A tar stream of `path` (a file or a directory) in the container. */
  getArchive(nameOrId: string, path: string): Promise<NodeJS.ReadableStream>;
  /** Extracts a tar stream into the existing directory `directory` of the container. */
  putArchive(nameOrId: string, directory: string, tar: NodeJS.ReadableStream): Promise<void>;
  /** Freezes every process of the running container (backup: its data stays still while it is read). */
  pauseContainer(nameOrId: string): Promise<'paused' | 'not-running'>;
  unpauseContainer(nameOrId: string): Promise<'unpaused' | 'not-paused'>;

  /** Networks, `name` matched exactly (Docker's own name filter matches substrings). */
  listNetworks(filter?: LabelFilter & { name?: string }): Promise<NetworkSummary[]>;
  /** A bridge network of that name, created with `labels` when there is none; `labels`: those it carries. */
  ensureNetwork(
    name: string,
    labels: Record<string, string>,
  ): Promise<{ id: string; created: boolean; labels: Record<string, string> }>;
  removeNetwork(nameOrId: string): Promise<'removed' | 'absent'>;
  listVolumes(filter?: LabelFilter): Promise<VolumeSummary[]>;
  /** A local volume of that name, created with `labels` when there is none; the volume as it is now. */
  ensureVolume(name: string, labels: Record<string, string>): Promise<VolumeSummary & { created: boolean }>;
  removeVolume(name: string): Promise<'removed' | 'absent'>;
  /** Bytes each volume holds (the engine's disk usage report), by name; -1 when the engine did not count. */
  volumeSizes(): Promise<Map<string, number>>;

  listImages(): Promise<ImageSummary[]>;
  /** undefined when `ref` names no image on this engine. */
  inspectImage(ref: string): Promise<ImageSummary | undefined>;
  /** Pulls until the engine reports the end; `signal` cancels the pull (Ctrl-C). */
  pullImage(ref: string, onProgress?: (event: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  removeImage(ref: string): Promise<ImageRemoval>;
  /** `docker load` of a `docker save` tar; `what` names it in errors. */
  loadImage(tar: NodeJS.ReadableStream, what: string): Promise<void>;
  /** `docker save` of one image, as a tar stream. */
  saveImage(ref: string): Promise<NodeJS.ReadableStream>;
  /** Whether the registry this engine would pull `ref` from serves it (its mirrors and insecure registries applied). */
  registryAnswer(ref: string, timeoutMs: number): Promise<RegistryAnswer>;
}
