// An http.Agent whose "sockets" are direct-streamlocal channels to the Docker socket on the host,
// opened on the host's one SSH connection: dockerode keeps its plain HTTP protocol and no second
// SSH connection (nor a docker CLI on the host) is ever needed.

import http from 'node:http';
import { inspect } from 'node:util';
import type { Duplex } from 'node:stream';

export type OpenChannel = () => Promise<Duplex>;

type SocketLike = Duplex & {
  setTimeout?: (ms: number, callback?: () => void) => unknown;
  setNoDelay?: (noDelay?: boolean) => unknown;
  setKeepAlive?: (enable?: boolean, delay?: number) => unknown;
  ref?: () => unknown;
  unref?: () => unknown;
};

/**
 * Node's http client treats its socket as a net.Socket. An ssh2 channel is only a Duplex, so add the
 * few methods http calls: an idle `setTimeout` (used by request timeouts) and no-op tuning calls.
 */
export function asHttpSocket(channel: Duplex): Duplex {
  const socket = channel as SocketLike;
  let idleMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = idleMs > 0 ? setTimeout(() => socket.emit('timeout'), idleMs) : undefined;
  };
  // Activity is observed by wrapping push/write: listening to 'data' would change the flow mode.
  const push = socket.push.bind(socket);
  socket.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (timer) arm();
    return push(chunk, encoding);
  };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]): boolean => {
    if (timer) arm();
    return write(...args);
  }) as typeof socket.write;
  socket.setTimeout = (ms: number, callback?: () => void) => {
    idleMs = ms;
    if (callback) socket.once('timeout', callback);
    arm();
    return socket;
  };
  socket.once('close', () => timer && clearTimeout(timer));
  socket.setNoDelay ??= () => socket;
  socket.setKeepAlive ??= () => socket;
  socket.ref ??= () => socket;
  socket.unref ??= () => socket;
  return socket;
}

export class StreamLocalAgent extends http.Agent {
  /**
   * docker-modem describes every request with util.inspect(options, { showHidden: true, depth: null })
   * for its debug log, whether the log is on or not; options hold this agent, and walking its open
   * channels, the SSH client behind them and every function's hidden properties cost the CLI about
   * 0.9 s of CPU in a fresh install (a CPU profile: util.inspect, `get caller`, `get arguments`).
   */
  [inspect.custom](): string {
    return 'StreamLocalAgent (Docker socket over SSH)';
  }

  constructor(private readonly open: OpenChannel) {
    // One channel per request: channels are cheap on an open session, and a hijacked or
    // streaming request (logs, attach, pull progress) then never blocks the next one.
    super({ keepAlive: false });
  }

  override createConnection(
    _options: http.ClientRequestArgs,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.open().then(
      (channel) => callback?.(null, asHttpSocket(channel)),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    // Returning nothing tells http to wait for the callback.
    return undefined;
  }
}
