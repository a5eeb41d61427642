// One authenticated SSH connection to one machine (possibly through a bastion's session). Every
// remote operation is a channel on it: commands, SFTP, TCP forwards, the Docker socket.

import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { HealError, isHealError } from '../core/errors.js';
import { beginActivity, timed } from './activity.js';
import { sessionLost } from './connect-errors.js';
import type { ExecOptions, ExecResult } from './exec.js';
import { runOnChannel } from './exec.js';
import type { HostKeyOutcome } from './host-key.js';
import { Limiter } from './limiter.js';
import { shellQuote } from './shell-quote.js';
import type { SshTarget } from './target.js';
import { describeTarget } from './target.js';

// OpenSSH's MaxSessions default is 10 session channels per connection; keep one free for SFTP.
const MAX_PARALLEL_COMMANDS = 8;

export class SshSession {
  /** Key exchanges completed on this connection (1 per connection; rekeying would add more). */
  handshakes = 0;
  /** The configured hosts this connection serves (web, app and db may share one machine): whose time its operations take. */
  readonly hostNames = new Set<string>();
  private isClosed = false;
  private sftpChannel: Promise<SFTPWrapper> | undefined;
  private readonly commands = new Limiter(MAX_PARALLEL_COMMANDS);
  private readonly closeListeners: Array<() => void> = [];

  constructor(
    readonly target: SshTarget,
    readonly client: Client,
    readonly hostKey: HostKeyOutcome,
    readonly via: SshSession | undefined,
  ) {
    client.on('close', () => {
      this.isClosed = true;
      for (const listener of this.closeListeners.splice(0)) listener();
    });
    // After 'ready', errors (keepalive timeout, reset) end in 'close'; operations then fail cleanly.
    client.on('error', () => undefined);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Handshakes needed to reach this host: its own plus those of every jump host in front of it. */
  get pathHandshakes(): number {
    return this.handshakes + (this.via?.pathHandshakes ?? 0);
  }

  get label(): string {
    return describeTarget(this.target);
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = shellQuote(argv);
    return timed(this.hostNames, () =>
      this.commands.run(() =>
        this.guard('run a command', () => runOnChannel(this.client, command, options, this.target.name)),
      ),
    );
  }

  sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= this.guard(
      'open SFTP',
      () =>
        new Promise<SFTPWrapper>((resolve, reject) =>
          this.client.sftp((error, sftp) => {
            if (!error) {
              // A server-side close (idle sftp-server exit) must not leave a dead channel cached.
              sftp.on('close', () => (this.sftpChannel = undefined));
              return resolve(sftp);
            }
            this.sftpChannel = undefined;
            reject(
              new HealError({
                code: 'remote.sftp',
                message: `SFTP is not available on ${this.label}: ${error.message}`,
                hint: 'Enable the sftp subsystem in sshd_config (Subsystem sftp internal-sftp)',
                cause: error,
              }),
            );
          }),
        ),
    );
    return this.sftpChannel;
  }

  /** A direct-tcpip channel: sshd on this host connects to host:port for us. */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    return this.timedChannel(
      this.guard(
        `reach ${host}:${port}`,
        () =>
          new Promise((resolve, reject) =>
            this.client.forwardOut('127.0.0.1', 0, host, port, (e, ch) => (e ? reject(e) : resolve(ch))),
          ),
      ),
    );
  }

  /** A direct-streamlocal channel to a Unix socket on this host (the Docker API). */
  openStreamLocal(socketPath: string): Promise<ClientChannel> {
    return this.timedChannel(
      this.guard(
        `open ${socketPath}`,
        () =>
          new Promise((resolve, reject) =>
            this.client.openssh_forwardOutStreamLocal(socketPath, (e, ch) => (e ? reject(e) : resolve(ch))),
          ),
      ),
    );
  }

  /** A channel's whole life (a Docker call, a probe) counts as its hosts' activity, not just the opening. */
  private async timedChannel(opening: Promise<ClientChannel>): Promise<ClientChannel> {
    const done = beginActivity(this.hostNames);
    try {
      const channel = await opening;
      // Noted when open too: a channel closed by us but never read (a TCP probe) may emit no 'close'.
      done();
      channel.once('close', done);
      return channel;
    } catch (error) {
      done();
      throw error;
    }
  }

  /** Polite close: SSH disconnect, then wait for the socket to go (bounded). */
  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, 2000);
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
  }

  destroy(): void {
    this.client.destroy();
  }

  /** ssh2 throws "Not connected" synchronously on a dead session: report which host and what for. */
  private async guard<T>(what: string, operation: () => Promise<T>): Promise<T> {
    if (this.isClosed) throw sessionLost(this.target, what);
    try {
      return await operation();
    } catch (error) {
      if (isHealError(error)) throw error;
      if (this.isClosed || /not connected|no response from server/i.test((error as Error).message))
        throw sessionLost(this.target, what);
      throw error;
    }
  }
}
