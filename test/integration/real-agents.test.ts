// Real agents, written by nobody here: the Pyroscope Node.js SDK (@pyroscope/nodejs 0.6.4) and the
// OpenTelemetry trace exporters, gRPC and HTTP (0.223.1), run on target-01 (node in its network
// namespace), configured only with what `agents --json --show-secrets` printed (the stack's CA put
// where the trust steps say, the Node.js snippet as a module with the environment its comment
// names, the OpenTelemetry environment variables as a shell exports them, the tenant's credentials
// in both), over TLS to the door; what they sent is read back, as that tenant, from Pyroscope's
// render API and Tempo's trace API on the app host.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAll, httpGet, nonInteractive, type Fleet, type RemoteHost } from '../../src/remote/index.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor, type Lab } from '../lab/lab.js';
import { labTarget } from '../support/lab-targets.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { execa } from 'execa';
import { TARGET_CA_FILE } from '../../src/agents/agents.js';

const skip = labSkipReason();
const agent = (name: string) => fileURLToPath(new URL(`../agents/${name}`, import.meta.url));

describe.skipIf(skip !== undefined)('real agents through the front door (lab)', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };
  let fleet: Fleet;
  let app: RemoteHost;
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;
  /** Runs an agent script with the machine's node on target-01, as a process there, with `env` added. */
  const onTarget = (script: string, args: string[], env: Record<string, string> = {}) =>
    labExec('target-01', [
      'env',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      process.execPath,
      agent(script),
      ...args,
    ]);
  /** What `agents AGENT --json --service SERVICE` printed for that agent. */
  const document = async (name: string, service: string) => {
    const r = await runCli(['agents', name, '--json', '--show-secrets', '--service', service, '--config', topo.path], {
      cwd: topo.dir,
    });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { frontDoor: { caCertificate: string | null }; agents: Record<string, string> };
  };
  const printed = async (name: string, service: string) => (await document(name, service)).agents[name]!;

  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    // OTLP over HTTP on too (frontDoor.otlpHttp): the HTTP exporter goes through the same door.
    topo = labTopologyFile(lab, 'frontDoor:\n  otlpHttp: true\n');
    const r = await runCli(['install', '--config', topo.path, '--yes', '--wait', '60'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    fleet = await connectAll([labTarget(lab, 'app-01', {}, { connectTimeoutMs: 5000 })], {
      interaction: nonInteractive,
    });
    app = fleet.host('app-01');
    // The first trust step, as an operator runs it on the target: the CA where the snippets name it.
    const ca = (await document('otel', 'x')).frontDoor.caCertificate;
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const local = mkdtempSync(join(tmpdir(), 'hp-ca-'));
    writeFileSync(join(local, 'ca.pem'), ca!);
    const put = await labExec('target-01', ['install', '-D', '-m', '0644', join(local, 'ca.pem'), TARGET_CA_FILE]);
    rmSync(local, { recursive: true, force: true });
    expect(put.exitCode, put.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await fleet?.close();
    if (lab) await labExec('target-01', ['rm', '-f', TARGET_CA_FILE]);
    await resetLab();
  });

  /** Pyroscope's render API on the app host: the total of `profileType` for `service`. */
  const ticks = async (profileType: string, service: string) => {
    const query = encodeURIComponent(`${profileType}{service_name="${service}"}`);
    const r = await httpGet(
      app.session,
      address('app-01'),
      4040,
      `/pyroscope/render?query=${query}&from=now-1h&until=now`,
      // As Grafana's data source of the config's one tenant reads it.
      { timeoutMs: 5000, headers: { 'X-Scope-OrgID': 'default' } },
    );
    expect(r.status, r.body).toBe(200);
    return (JSON.parse(r.body) as { flamebearer: { numTicks: number } }).flamebearer.numTicks;
  };

  it("the Pyroscope Node.js SDK's wall profile arrives, about as long as it profiled", async () => {
    const service = `sdk-${randomBytes(3).toString('hex')}`;
    // The snippet as printed, as the module the app loads first (beside test/agents, so it finds the SDK).
    const run = fileURLToPath(new URL('../agents/.run/', import.meta.url));
    mkdirSync(run, { recursive: true });
    const settings = `${run}${service}.mjs`;
    const snippet = await printed('nodejs', service);
    writeFileSync(settings, snippet);
    // The environment its first comment names: Node's extra CA file.
    const extra = /NODE_EXTRA_CA_CERTS=(\S+)/.exec(snippet)?.[1];
    expect(extra).toBe(TARGET_CA_FILE);
    const r = await onTarget('pyroscope-nodejs.mjs', [settings], { NODE_EXTRA_CA_CERTS: extra! });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const wall = await waitFor(
      'the profile in Pyroscope',
      async () => {
        const n = await ticks('wall:wall:nanoseconds:wall:nanoseconds', service);
        return n > 0 ? n : undefined;
      },
      15_000,
      500,
    );
    // Two seconds of work, in nanoseconds of wall time: the SDK's own numbers, summed.
    expect(wall!).toBeGreaterThan(1e9);
    expect(await ticks('wall:samples:count:wall:nanoseconds', service)).toBeGreaterThan(0);
    // Another service's query finds nothing: the read-back tells services apart.
    expect(await ticks('wall:wall:nanoseconds:wall:nanoseconds', `${service}-other`)).toBe(0);
  }, 60_000);

  /** The OTEL_* variables the printed `otel` snippet exports, as a shell runs it (`extra` lines after it). */
  const otelEnv = async (service: string, extra = '') => {
    const shell = await execa('sh', ['-c', `${await printed('otel', service)}\n${extra}\nenv`], { reject: false });
    expect(shell.exitCode, shell.stderr).toBe(0);
    return Object.fromEntries(
      shell.stdout
        .split('\n')
        .map((line) => /^(OTEL_[A-Z_]+)=(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!]),
    );
  };
  /** Tempo's trace API on the app host, as the config's one tenant reads it: the trace, once there. */
  const traceInTempo = (traceId: string) =>
    waitFor(
      'the trace in Tempo',
      async () => {
        const t = await httpGet(app.session, address('app-01'), 3200, `/api/traces/${traceId}`, {
          timeoutMs: 5000,
          headers: { 'X-Scope-OrgID': 'default' },
        });
        return t.status === 200 ? t.body : undefined;
      },
      15_000,
      500,
    );

  /** Runs test/agents/otel.mjs with `protocol`'s exporter on target-01: its span, read back from Tempo. */
  const exported = async (protocol: 'grpc' | 'http', env: Record<string, string>, service: string) => {
    const r = await onTarget('otel.mjs', [protocol], env);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const traceId = r.stdout.trim();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const trace = await traceInTempo(traceId);
    expect(trace).toContain('real-exporter-span');
    expect(trace).toContain(service);
  };

  it("the OpenTelemetry gRPC exporter's span arrives in Tempo under its trace ID", async () => {
    const service = `otel-${randomBytes(3).toString('hex')}`;
    const env = await otelEnv(service);
    expect(env['OTEL_EXPORTER_OTLP_HEADERS']).toMatch(/^Authorization=Basic%20[A-Za-z0-9+/=]+$/);
    expect(env['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe(`https://${address('web-01')}:9940`);
    expect(env['OTEL_EXPORTER_OTLP_CERTIFICATE']).toBe(TARGET_CA_FILE);
    await exported('grpc', env, service);
  }, 60_000);

  it("the OpenTelemetry HTTP exporter's span arrives through /v1/traces (frontDoor.otlpHttp)", async () => {
    const service = `otel-http-${randomBytes(3).toString('hex')}`;
    // The snippet's commented line, taken as the operator is told to take it.
    const snippet = await printed('otel', service);
    const http = /^# (export OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf)$/m.exec(snippet)?.[1];
    expect(http).toBeDefined();
    const env = await otelEnv(service, http);
    expect(env['OTEL_EXPORTER_OTLP_PROTOCOL']).toBe('http/protobuf');
    await exported('http', env, service);
  }, 60_000);
});
