// A HostHandle in memory for unit tests: a FakeEngine, commands answered by rules the test sets
// (exit 0 with no output otherwise), uploads kept as files, HTTP answered by a function.

import type {
  ExecOptions,
  ExecResult,
  GrpcCallResult,
  HostHandle,
  HttpGetOptions,
  HttpGetResult,
  ProbeResult,
  UploadSpec,
} from '../../../src/remote/index.js';
import { FakeEngine } from './fake-engine.js';

type Answer = Partial<ExecResult> | ((argv: readonly string[], options: ExecOptions) => Partial<ExecResult>);

export class FakeHost implements HostHandle {
  readonly engine: FakeEngine;
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
  grpc: (host: string, port: number, path: string, message: Uint8Array) => GrpcCallResult | Promise<GrpcCallResult> =
    () => ({ httpStatus: 200, grpcStatus: 0, grpcMessage: '' });
  private readonly rules: Array<{ match: (command: string) => boolean; answer: Answer }> = [];

  constructor(readonly name: string) {
    this.engine = new FakeEngine(name);
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

  async probeTcp(): Promise<ProbeResult> {
    return { state: 'open', via: 'forward', detail: 'connected' };
  }

  async httpGet(host: string, port: number, path: string, options: HttpGetOptions = {}): Promise<HttpGetResult> {
    this.requests.push(`${host}:${port}${path}`);
    return this.http(host, port, path, options);
  }

  async grpcCall(host: string, port: number, path: string, message: Uint8Array): Promise<GrpcCallResult> {
    this.requests.push(`${host}:${port}${path}`);
    return this.grpc(host, port, path, message);
  }

  /** Commands run whose words contain `text`. */
  ran(text: string): string[][] {
    return this.commands.filter((c) => c.join(' ').includes(text));
  }
}
