// A HostHandle in memory for unit tests: a FakeEngine, commands answered by rules the test sets
// (exit 0 with no output otherwise), uploads kept as files, HTTP answered by a function.

import type { Duplex } from 'node:stream';
import type {
  ExecOptions,
  ExecResult,
  GrpcCallOptions,
  GrpcCallResult,
  HostHandle,
  HttpGetOptions,
  HttpGetResult,
  ProbeResult,
  RootAccess,
  UploadSpec,
} from '../../../src/remote/index.js';
import { sshRoot } from '../../../src/remote/root-access.js';
import { FakeEngine } from './fake-engine.js';
import { APPLY_SCRIPT, FLOW_CHAIN, READ_SCRIPT, REMOVE_SCRIPT } from '../../../src/stack/flow-rules.js';

type Answer = Partial<ExecResult> | ((argv: readonly string[], options: ExecOptions) => Partial<ExecResult>);

export class FakeHost implements HostHandle {
  readonly engine: FakeEngine;
  /** A root SSH user: root commands and files go to exec and upload as they are. */
  readonly root: RootAccess = sshRoot(this);
  /** Every command run, as its argv. */
  readonly commands: string[][] = [];
  /** Files uploaded, by remote path. */
  readonly files = new Map<string, UploadSpec>();
  /** Every HTTP request, as `host:port/path`. */
  readonly requests: string[] = [];
  /** The answer to an HTTP request; 200 `ok` unless a test says otherwise. */
  http: (host: string, port: number, path: string, options: HttpGetOptions) => HttpGetResult | Promise<HttpGetResult> =
    () => ({ status: 200, body: 'ok' });
  /** The answer to a gRPC call; grpc-status 0 unless a test says otherwise. */
  grpc: (
    host: string,
    port: number,
    path: string,
    message: Uint8Array,
    options: GrpcCallOptions,
  ) => GrpcCallResult | Promise<GrpcCallResult> = () => ({ httpStatus: 200, grpcStatus: 0, grpcMessage: '' });
  /** Our iptables chain as the host holds it (null: none). */
  flowChain: { lines: string[]; jump: boolean } | null = null;
  private readonly rules: Array<{ match: (command: string) => boolean; answer: Answer }> = [];

  constructor(readonly name: string) {
    this.engine = new FakeEngine(name);
    // A fresh host keeps no front door CA (install and the credentials read from the hosts ask).
    this.onExec('test -e /opt/heal-pyroscope/web/haproxy/tls/ca.pem', { code: 1 });
    this.onExec('test -e /opt/heal-pyroscope/web/haproxy/auth/tenants.json', { code: 1 });
    // Every host routes anywhere from one address (the flow rules ask where a flow starts).
    this.onExec(/^ip route get /, (argv) => ({
      stdout: `${argv[3]} dev eth0 src ${FakeHost.addressOf(name)} uid 0\n`,
    }));
    // iptables, as far as the flow rules use it: our chain's `-A` lines, and DOCKER-USER's jump to it.
    this.onExec(READ_SCRIPT, () => {
      const chain = this.flowChain;
      if (!chain) return { stdout: '' };
      return { stdout: [`-N ${FLOW_CHAIN}`, ...chain.lines, ...(chain.jump ? ['#jump'] : []), ''].join('\n') };
    });
    this.onExec(APPLY_SCRIPT, (_argv, options) => {
      const lines = String(options.stdin ?? '')
        .split('\n')
        .filter((l) => l.startsWith('-A '));
      this.flowChain = { lines, jump: true };
      return {};
    });
    this.onExec(REMOVE_SCRIPT, () => {
      this.flowChain = null;
      return {};
    });
  }

  /** A stable made-up address per host name, as `ip route get` answers it. */
  static addressOf(name: string): string {
    let n = 0;
    for (const c of name) n = (n * 31 + c.charCodeAt(0)) % 250;
    return `10.0.0.${n + 2}`;
  }

  /** Commands whose words (joined by spaces) contain `match`, or match it, answer `answer`; the latest rule wins. */
  onExec(match: string | RegExp, answer: Answer): this {
    this.rules.unshift({ match: (c) => (typeof match === 'string' ? c.includes(match) : match.test(c)), answer });
    return this;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.commands.push([...argv]);
    const rule = this.rules.find((r) => r.match(argv.join(' ')));
    const answer = typeof rule?.answer === 'function' ? rule.answer(argv, options) : (rule?.answer ?? {});
    return { code: 0, stdout: '', stderr: '', ...answer };
  }

  async upload(spec: UploadSpec): Promise<void> {
    this.files.set(spec.remotePath, spec);
  }

  /** What a TCP probe from this host finds, by `host:port` (default: open). */
  probe: (host: string, port: number) => ProbeResult = () => ({ state: 'open', via: 'forward', detail: 'connected' });

  async probeTcp(host: string, port: number): Promise<ProbeResult> {
    return this.probe(host, port);
  }

  async httpGet(host: string, port: number, path: string, options: HttpGetOptions = {}): Promise<HttpGetResult> {
    this.requests.push(`${host}:${port}${path}`);
    return this.http(host, port, path, options);
  }

  /** Where a tunnel from this host leads (default: nowhere, the connection is refused). */
  tunnelTo: (host: string, port: number) => Promise<Duplex> = async (host, port) => {
    throw new Error(`connect ECONNREFUSED ${host}:${port}`);
  };

  async tunnel(host: string, port: number): Promise<Duplex> {
    this.requests.push(`tunnel ${host}:${port}`);
    return this.tunnelTo(host, port);
  }

  async grpcCall(
    host: string,
    port: number,
    path: string,
    message: Uint8Array,
    options: GrpcCallOptions = {},
  ): Promise<GrpcCallResult> {
    this.requests.push(`${host}:${port}${path}`);
    return this.grpc(host, port, path, message, options);
  }

  /** Commands run whose words contain `text`. */
  ran(text: string): string[][] {
    return this.commands.filter((c) => c.join(' ').includes(text));
  }
}
