// Low-level failures (socket errno codes, ssh2 messages, sshd channel refusals) turned into one-line
// HealErrors that name the host and say what to do. Pure, so each case is unit-tested.

import { HealError } from '../core/errors.js';
import { formatDuration } from './deadline.js';
import type { SshTarget } from './target.js';
import { describeTarget } from './target.js';

interface LowLevelError {
  message?: string;
  code?: string | number;
  level?: string;
  /** sshd's channel-open failure reason: 1 administratively prohibited, 2 connect failed. */
  reason?: number | string;
}

function low(error: unknown): LowLevelError {
  return typeof error === 'object' && error !== null ? (error as LowLevelError) : { message: String(error) };
}

/** sshd reports a failed direct-tcpip connect with strerror text; map it to the errno we would get locally. */
function errnoFromChannelText(message: string): string | undefined {
  if (/connection refused/i.test(message)) return 'ECONNREFUSED';
  if (/name or service not known|temporary failure in name resolution|no address associated/i.test(message))
    return 'ENOTFOUND';
  if (/no route to host/i.test(message)) return 'EHOSTUNREACH';
  if (/network is unreachable/i.test(message)) return 'ENETUNREACH';
  if (/timed out/i.test(message)) return 'ETIMEDOUT';
  return undefined;
}

/** The TCP leg failed: directly from here, or from the jump host through a forwardOut channel. */
export function tcpConnectFailure(target: SshTarget, error: unknown, timeoutMs: number): HealError {
  const e = low(error);
  const message = e.message ?? '';
  const viaJump = target.jump !== undefined;
  const from = viaJump ? `from ${target.jump?.name}` : 'from here';
  const code =
    typeof e.code === 'string' && (e.code.startsWith('E') || e.code === 'TIMEOUT')
      ? e.code
      : errnoFromChannelText(message);
  const who = describeTarget(target);
  if (
    viaJump &&
    (e.reason === 1 ||
      /administratively prohibited/i.test(message) ||
      (code === undefined && /open failed/i.test(message)))
  ) {
    return new HealError({
      code: 'ssh.jump.prohibited',
      message: `Jump host ${target.jump?.name} refused to forward a connection to ${target.host}:${target.port}`,
      hint:
        `Allow TCP forwarding for your user on ${target.jump?.name} (AllowTcpForwarding in sshd_config, ` +
        `no "restrict"/"no-port-forwarding" on the key)`,
      cause: error,
    });
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new HealError({
        code: 'ssh.resolve',
        message: `Cannot resolve host name ${target.host} for ${target.name} (${from})`,
        hint: 'Check the spelling of the host, DNS, /etc/hosts, or HostName in ~/.ssh/config',
        cause: error,
      });
    case 'ECONNREFUSED':
      return new HealError({
        code: 'ssh.refused',
        message: `SSH connection to ${who} was refused: no SSH server listening on port ${target.port}`,
        hint: `Check that sshd runs on ${target.name} (systemctl status ssh) and that the port is right`,
        cause: error,
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new HealError({
        code: 'ssh.unreachable',
        message: `No route to ${who} (${from})`,
        hint: 'Check the address, routing and firewalls between the two machines, or use a jump host',
        cause: error,
      });
    case 'ETIMEDOUT':
    case 'TIMEOUT':
      return new HealError({
        code: 'ssh.timeout',
        message: `Connecting to ${who} timed out after ${formatDuration(timeoutMs)} (${from})`,
        hint: 'A firewall probably drops the traffic, or the host is down: check port reachability and the address',
        cause: error,
      });
    default:
      return new HealError({
        code: 'ssh.connect',
        message: `Cannot connect to ${who}: ${message || code || 'unknown error'}`,
        hint: 'Check the address and that the host is up',
        cause: error,
      });
  }
}

/** The TCP connection was up but the SSH handshake or authentication did not complete. */
export function handshakeFailure(target: SshTarget, error: unknown, readyTimeoutMs: number): HealError {
  const e = low(error);
  const message = e.message ?? String(error);
  const who = describeTarget(target);
  if (e.level === 'client-timeout' || e.code === 'READY_TIMEOUT') {
    return new HealError({
      code: 'ssh.timeout',
      message: `SSH handshake with ${who} did not finish within ${formatDuration(readyTimeoutMs)}`,
      hint: 'The server is overloaded or something other than sshd answers on that port; try `ssh -v` to compare',
      cause: error,
    });
  }
  if (/no matching/i.test(message) || /handshake failed/i.test(message)) {
    return new HealError({
      code: 'ssh.handshake',
      message: `SSH handshake with ${who} failed: ${message}`,
      hint:
        'The server only offers algorithms this client does not support; check its sshd_config ' +
        'Ciphers/KexAlgorithms',
      cause: error,
    });
  }
  if (e.code === 'ECONNRESET' || /lost before handshake|closed|ended/i.test(message)) {
    return new HealError({
      code: 'ssh.closed',
      message: `${who} closed the connection during the SSH handshake`,
      hint:
        'sshd may be refusing this client (MaxStartups, AllowUsers, tcp wrappers) or the port is not an ' +
        'SSH server; see its auth log',
      cause: error,
    });
  }
  return new HealError({
    code: 'ssh.handshake',
    message: `SSH handshake with ${who} failed: ${message}`,
    hint: 'Run `ssh -v` against the same host to compare, and check the server log',
    cause: error,
  });
}

/** An established session went away (host rebooted, sshd killed, network cut, keepalives unanswered). */
export function sessionLost(target: SshTarget, what: string): HealError {
  return new HealError({
    code: 'ssh.closed',
    message: `SSH connection to ${describeTarget(target)} is closed; cannot ${what}`,
    hint: 'The host or network dropped the session; check that the host is up and run the command again',
  });
}
