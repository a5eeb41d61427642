// Establishes one SshSession: TCP (directly, or as a channel of the bastion's session), then the SSH
// handshake with host key verification and authentication, each failure mapped to one HealError.

import net from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Algorithms } from 'ssh2';
import type { HealError } from '../core/errors.js';
import { isHealError } from '../core/errors.js';
import type { KeyCache } from './auth.js';
import { Authenticator } from './auth.js';
import { handshakeFailure, tcpConnectFailure } from './connect-errors.js';
import { Deadline } from './deadline.js';
import { HostKeyVerifier, preferredHostKeyAlgorithms, type KnownHostsCache } from './host-key.js';
import type { InteractionGate } from './interaction.js';
import { SshSession } from './session.js';
import type { SshTarget } from './target.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_READY_TIMEOUT_MS } from './target.js';

export interface OpenContext {
  gate: InteractionGate;
  acceptNewHostKeys: boolean;
  keyCache: KeyCache;
  /** known_hosts read once for every session of the run (absent: each session reads it). */
  knownHosts?: KnownHostsCache;
  agentSocketFromEnv: string | undefined;
}

// ssh2 1.17's host key algorithms, in its default order; reordered only to put known types first.
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];
const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
const ALL_METHODS_FAILED = 'All configured authentication methods failed';

export async function openSession(
  target: SshTarget,
  via: SshSession | undefined,
  ctx: OpenContext,
): Promise<SshSession> {
  const connectMs = target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const sock = via ? await openJumpChannel(target, via, connectMs) : await connectTcp(target, connectMs);
  return handshake(target, via, sock, ctx);
}

function connectTcp(target: SshTarget, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const onError = (error: Error): void => {
      clearTimeout(timer);
      reject(tcpConnectFailure(target, error, timeoutMs));
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(tcpConnectFailure(target, { code: 'TIMEOUT' }, timeoutMs));
    }, timeoutMs);
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

function openJumpChannel(target: SshTarget, via: SshSession, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(tcpConnectFailure(target, { code: 'TIMEOUT' }, timeoutMs));
    }, timeoutMs);
    via.forwardOut(target.host, target.port).then(
      (channel) => {
        clearTimeout(timer);
        if (timedOut) channel.close();
        else resolve(channel);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(isHealError(error) ? error : tcpConnectFailure(target, error, timeoutMs));
      },
    );
  });
}

async function handshake(
  target: SshTarget,
  via: SshSession | undefined,
  sock: Duplex,
  ctx: OpenContext,
): Promise<SshSession> {
  const readyMs = target.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const client = new ssh2.Client();
  let handshakes = 0;
  const countHandshake = (): void => {
    handshakes += 1;
  };
  client.on('handshake', countHandshake);

  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    const fail = (error: HealError): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      client.destroy();
      sock.destroy();
      reject(error);
    };
    const deadline = new Deadline(readyMs, () =>
      fail(verifier.failure ?? handshakeFailure(target, { code: 'READY_TIMEOUT' }, readyMs)),
    );
    const verifier = new HostKeyVerifier(target, ctx.gate, ctx.acceptNewHostKeys, deadline, ctx.knownHosts);
    const auth = new Authenticator({
      target,
      gate: ctx.gate,
      deadline,
      keyCache: ctx.keyCache,
      agentSocketFromEnv: ctx.agentSocketFromEnv,
    });

    client.on('error', (error: Error & { level?: string }) => {
      // ssh2 reports agent trouble and per-key signing errors as 'error' but keeps authenticating.
      if (
        error.level === 'agent' ||
        (error.level === 'client-authentication' && error.message !== ALL_METHODS_FAILED)
      ) {
        auth.notes.push(`${error.level === 'agent' ? 'agent' : 'key'}: ${error.message}`);
        return;
      }
      if (verifier.failure) fail(verifier.failure);
      else if (error.level === 'client-authentication') fail(auth.failure());
      else fail(handshakeFailure(target, error, readyMs));
    });
    client.on('close', () =>
      fail(verifier.failure ?? handshakeFailure(target, { message: 'connection closed' }, readyMs)),
    );
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      deadline.clear();
      const session = new SshSession(
        target,
        client,
        verifier.outcome ?? { keyType: '?', fingerprint: '?', recorded: false },
        via,
      );
      client.off('handshake', countHandshake);
      session.handshakes = handshakes;
      client.on('handshake', () => {
        session.handshakes += 1;
      });
      resolve(session);
    });

    verifier.knownTypes().then(
      (knownTypes) => {
        if (settled) return;
        const algorithms: Algorithms | undefined =
          knownTypes.length > 0
            ? {
                serverHostKey: preferredHostKeyAlgorithms(
                  knownTypes,
                  HOST_KEY_ALGORITHMS,
                ) as Algorithms['serverHostKey'],
              }
            : undefined;
        client.connect({
          sock,
          username: target.user,
          hostVerifier: verifier.hostVerifier,
          authHandler: auth.handler,
          // Our Deadline replaces ssh2's readyTimeout because it pauses while a person answers a prompt.
          readyTimeout: 0,
          keepaliveInterval: KEEPALIVE_INTERVAL_MS,
          keepaliveCountMax: KEEPALIVE_COUNT_MAX,
          ...(algorithms ? { algorithms } : {}),
        });
      },
      (error: HealError) => fail(error),
    );
  });
}
