// One remote command on an existing session: a session channel running the quoted command line,
// with optional stdin and a time limit. A non-zero exit is data for the caller, not an exception.

import type { Client, ClientChannel } from 'ssh2';
import { HealError } from '../core/errors.js';
import { formatDuration } from './deadline.js';
import type { ExecResult } from '../core/exec-result.js';

export type { ExecResult };

export interface ExecOptions {
  stdin?: string | Buffer;
  /** Kill (if sshd allows signals) and abandon the command after this long. */
  timeoutMs?: number;
}

export function runOnChannel(
  client: Client,
  command: string,
  options: ExecOptions,
  where: string,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) {
        reject(
          new HealError({
            code: 'remote.exec',
            message: `Cannot start a command on ${where}: ${error.message}`,
            hint:
              'sshd refused a session channel (MaxSessions, ForceCommand or a restricted key); check ' +
              'sshd_config on the host',
            cause: error,
          }),
        );
        return;
      }
      collect(channel, command, options, where).then(resolve, reject);
    });
  });
}

function collect(channel: ClientChannel, command: string, options: ExecOptions, where: string): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let code: number | null = null;
    let signal: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        // OpenSSH honours "signal" requests since 7.9; closing the channel is the fallback.
        try {
          channel.signal('KILL');
        } catch {
          // The channel may already be closing; close() below is what matters.
        }
        channel.close();
        reject(
          new HealError({
            code: 'remote.timeout',
            message:
              `Command on ${where} did not finish within ${formatDuration(options.timeoutMs ?? 0)}: ` +
              `${command.slice(0, 120)}`,
            hint: 'The host may be overloaded or the command is waiting for input; run it by hand to see',
          }),
        );
      }, options.timeoutMs);
    }
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
      code = exitCode ?? null;
      if (exitSignal) signal = exitSignal;
    });
    channel.on('close', () => {
      clearTimeout(timer);
      resolve({
        code,
        ...(signal ? { signal } : {}),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    channel.end(options.stdin ?? undefined);
  });
}
