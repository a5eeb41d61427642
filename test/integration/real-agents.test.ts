// Real agents, written by nobody here: the Pyroscope Node.js SDK (@pyroscope/nodejs 0.6.4) and the
// OpenTelemetry gRPC trace exporter (0.223.1) run on target-01 (node in its network namespace),
// configured as an operator configures them with the door's address, and what they sent is read
// back from Pyroscope's render API and Tempo's trace API on the app host.

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAll, httpGet, nonInteractive, type Fleet, type RemoteHost } from '../../src/remote/index.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor, type Lab } from '../lab/lab.js';
import { labTarget } from '../support/lab-targets.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const DOOR = 9940;
const agent = (name: string) => fileURLToPath(new URL(`../agents/${name}`, import.meta.url));

describe.skipIf(skip !== undefined)('real agents through the front door (lab)', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };
  let fleet: Fleet;
  let app: RemoteHost;
  const address = (name: string) => lab.hosts.find((h) => h.name === name)!.address;
  /** Runs an agent script with the machine's node on target-01, as a process there. */
  const onTarget = (script: string, ...args: string[]) =>
    labExec('target-01', [process.execPath, agent(script), ...args]);

  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    topo = labTopologyFile(lab);
    const r = await runCli(['install', '--config', topo.path, '--yes', '--wait', '60'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    fleet = await connectAll([labTarget(lab, 'app-01', {}, { connectTimeoutMs: 5000 })], {
      interaction: nonInteractive,
    });
    app = fleet.host('app-01');
  }, 300_000);
  afterAll(async () => {
    await fleet?.close();
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
      {
        timeoutMs: 5000,
      },
    );
    expect(r.status, r.body).toBe(200);
    return (JSON.parse(r.body) as { flamebearer: { numTicks: number } }).flamebearer.numTicks;
  };

  it("the Pyroscope Node.js SDK's wall profile arrives, about as long as it profiled", async () => {
    const service = `sdk-${randomBytes(3).toString('hex')}`;
    const r = await onTarget('pyroscope-nodejs.mjs', `http://${address('web-01')}:${DOOR}`, service);
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

  it("the OpenTelemetry gRPC exporter's span arrives in Tempo under its trace ID", async () => {
    const service = `otel-${randomBytes(3).toString('hex')}`;
    const r = await onTarget('otel-grpc.mjs', `http://${address('web-01')}:${DOOR}`, service);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const traceId = r.stdout.trim();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const trace = await waitFor(
      'the trace in Tempo',
      async () => {
        const t = await httpGet(app.session, address('app-01'), 3200, `/api/traces/${traceId}`, { timeoutMs: 5000 });
        return t.status === 200 ? t.body : undefined;
      },
      15_000,
      500,
    );
    expect(trace).toContain('real-exporter-span');
    expect(trace).toContain(service);
  }, 60_000);
});
