// "Can this host open a TCP connection to host:port?" answered from the host itself (the question a
// preflight flow check asks), over the existing session: a direct-tcpip channel makes sshd connect.
// If sshd forbids TCP forwarding, a small remote command (nc, or bash's /dev/tcp) answers instead.

import type { ExecResult } from './exec.js';

export type ProbeState = 'open' | 'refused' | 'timeout' | 'unreachable' | 'unresolved' | 'closed' | 'unknown';

export interface ProbeResult {
  state: ProbeState;
  /** `forward`: sshd connected for us; `command`: a remote nc/bash test (cannot tell refused from filtered). */
  via: 'forward' | 'command';
  detail: string;
}

export type ForwardOut = (host: string, port: number) => Promise<{ close(): void }>;
type Runner = (argv: readonly string[], timeoutMs: number) => Promise<ExecResult>;

// $1 host, $2 port, $3 seconds. Exit 0 open, 1 not open, 3 no tool available.
export const TCP_PROBE_SCRIPT = `if command -v nc >/dev/null 2>&1; then nc -z -w "$3" "$1" "$2" >/dev/null 2>&1 && exit 0 || exit 1; fi
if command -v bash >/dev/null 2>&1; then timeout "$3" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" >/dev/null 2>&1 && exit 0 || exit 1; fi
exit 3`;

export function classifyChannelFailure(error: {
  message?: string;
  reason?: number | string;
}): ProbeState | 'prohibited' {
  const message = error.message ?? '';
  if (/connection refused/i.test(message)) return 'refused';
  if (/timed out/i.test(message)) return 'timeout';
  if (/no route to host|network is unreachable/i.test(message)) return 'unreachable';
  if (/name or service not known|temporary failure in name resolution|no address associated/i.test(message))
    return 'unresolved';
  // sshd answers "open failed" with reason 1 (administratively prohibited) when forwarding is off.
  if (error.reason === 1 || /prohibited/i.test(message)) return 'prohibited';
  return 'unknown';
}

export async function probeTcp(
  forwardOut: ForwardOut,
  run: Runner,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ state: 'timeout', via: 'forward', detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const attempt = forwardOut(host, port).then(
    (channel): ProbeResult => {
      channel.close();
      return { state: 'open', via: 'forward', detail: 'connected' };
    },
    (error: { message?: string; reason?: number }): ProbeResult | 'prohibited' => {
      const state = classifyChannelFailure(error);
      return state === 'prohibited' ? state : { state, via: 'forward', detail: error.message ?? String(error) };
    },
  );
  // A late success after the timeout still gets its channel closed by the handler above.
  const first = await Promise.race([attempt, timeout]);
  clearTimeout(timer);
  if (first !== 'prohibited') return first;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const result = await run(['sh', '-c', TCP_PROBE_SCRIPT, 'sh', host, String(port), String(seconds)], timeoutMs + 5000);
  if (result.code === 0) return { state: 'open', via: 'command', detail: 'connected (remote command)' };
  if (result.code === 3)
    return {
      state: 'unknown',
      via: 'command',
      detail: 'TCP forwarding is disabled and the host has neither nc nor bash',
    };
  return { state: 'closed', via: 'command', detail: 'refused or filtered (remote command cannot tell which)' };
}
