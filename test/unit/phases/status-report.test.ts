import { describe, expect, it } from 'vitest';
import {
  containerLabels,
  containerSpecs,
  createOptions,
  type ContainerSpec,
} from '../../../src/plan/container-spec.js';
import { runPhases } from '../../../src/runner/runner.js';
import { newStatusContext, statusPhases } from '../../../src/phases/status/status-report.js';
import { renderContext } from '../../../src/render/context.js';
import { renderStack } from '../../../src/render/render.js';
import { generateSecrets, removeState, saveState, withTenantPasswords } from '../../../src/state/state-file.js';
import { tenantCredentials } from '../../../src/plan/desired-stack.js';
import { frontDoorTlsFor } from '../../../src/tls/certificates.js';
import { LABELS } from '../../../src/stack/manifest.js';
import { HealError } from '../../../src/core/errors.js';
import { ADDRESSES, fakeStack, holdFlowRules, topology, type FakeStack } from '../support/fake-stack.js';

/** Every component running as installed with the credentials in the state file. */
async function installed(): Promise<{ stack: FakeStack; specs: ContainerSpec[] }> {
  const stack = fakeStack();
  const t = topology();
  const secrets = withTenantPasswords(generateSecrets(), t.tenants);
  await saveState(stack.statePath, { version: 1, environment: 'lab', secrets });
  const rendered = renderStack(
    renderContext({
      hosts: ADDRESSES,
      grafanaPort: t.grafanaPort,
      minio: { accessKey: secrets.minioAccessKey, secretKey: secrets.minioSecretKey },
      grafanaAdmin: { user: secrets.grafanaAdminUser, password: secrets.grafanaAdminPassword },
      frontDoor: 'container',
      restrictFlows: t.restrictFlows,
      tenants: tenantCredentials(t, secrets),
    }),
  );
  const specs = containerSpecs(rendered, t.images, t.containers);
  for (const spec of specs) {
    const engine = stack[spec.tier].engine;
    engine.addImage(spec.image);
    await engine.createContainer(createOptions(spec, '0.1.0'));
    await engine.startContainer(spec.name);
  }
  holdFlowRules(stack);
  return { stack, specs };
}

async function report(stack: FakeStack) {
  const ctx = newStatusContext({
    topology: topology(),
    statePath: stack.statePath,
    frontDoor: 'container',
    connect: stack.connect,
  });
  const result = await runPhases(statusPhases(), ctx);
  if (result.error) throw result.error;
  return ctx.report;
}

const of = (r: Awaited<ReturnType<typeof report>>, component: string) =>
  r.components.find((c) => c.component === component)!;

describe('status report', () => {
  it('is ok when every component runs as configured and answers its health endpoint', async () => {
    const { stack } = await installed();
    const r = await report(stack);
    expect(r.ok).toBe(true);
    expect(of(r, 'grafana')).toMatchObject({
      machine: 'app-01',
      present: true,
      running: true,
      healthy: true,
      version: '0.1.0',
      ports: ['3000->3000/tcp'],
      drift: [],
    });
  });

  it("asks the door's health over TLS trusting the state's CA, or without any state the web host's ca.pem", async () => {
    const { stack } = await installed();
    const seen: Array<string | undefined> = [];
    stack.web.http = (_host, port, _path, options) => {
      if (port === 9940) seen.push(options.tls?.ca);
      return { status: 200, body: 'ok' };
    };
    const { tls } = frontDoorTlsFor(undefined, 'lab', ['web-01'], new Date());
    await saveState(stack.statePath, {
      version: 1,
      environment: 'lab',
      secrets: { ...generateSecrets(), frontDoorTls: tls },
    });
    await report(stack);
    expect(seen).toEqual([tls.caCertificate]);
    // No state here, and the stack's logins unreadable: the CA the web host keeps still serves.
    await removeState(stack.statePath);
    stack.db.engine.inspectContainer = () =>
      Promise.reject(new HealError({ code: 'docker.not-running', message: 'down' }));
    stack.web.onExec('cat -- /opt/heal-pyroscope/web/haproxy/tls/ca.pem', { stdout: tls.caCertificate });
    await report(stack).catch(() => undefined);
    expect(seen).toEqual([tls.caCertificate, tls.caCertificate]);
  });

  it('reports flow rules that are missing or no longer in force as drift, naming the machine', async () => {
    const { stack } = await installed();
    const ok = await report(stack);
    expect(ok.flows.map((f) => [f.machine, f.drift])).toEqual([
      ['app-01', null],
      ['db-01', null],
    ]);
    expect(ok.flows[0]!.rules).toMatch(/^3200, 4040, 4317, 14250 only from web-01 \(10\.0\.0\.\d+\)$/);
    // A dockerd restart or a flush by hand: the chain is gone from app-01, DOCKER-USER's jump from db-01.
    stack.app.flowChain = null;
    stack.db.flowChain = { lines: stack.db.flowChain!.lines, jump: false };
    const r = await report(stack);
    expect(r.ok).toBe(false);
    expect(r.flows.map((f) => [f.machine, f.drift])).toEqual([
      ['app-01', 'flow rules missing (no HEAL-PYROSCOPE chain rules)'],
      ['db-01', 'flow rules not in force (DOCKER-USER does not jump to HEAL-PYROSCOPE)'],
    ]);
  });

  it("shows each server's Docker root and the size of each data volume, and warns under 15% free", async () => {
    const { stack } = await installed();
    const df = (free: number) =>
      `hostname=x\n--- guard-end\n--- df\nFilesystem 1024-blocks Used Available Capacity Mounted on\n` +
      `/dev/sda1 1000000 ${1000000 - free} ${free} 90% /\n--- end\n`;
    stack.db.onExec('--- guard-end', { stdout: df(100000) });
    stack.app.onExec('--- guard-end', { stdout: df(500000) });
    await stack.db.engine.ensureVolume('heal-pyroscope-minio-data', {});
    stack.db.engine.volumeBytes.set('heal-pyroscope-minio-data', 3 * 1024 ** 3);
    const r = await report(stack);
    expect(r.disks.find((d) => d.machine === 'db-01')).toEqual({
      machine: 'db-01',
      mount: '/',
      availableBytes: 100000 * 1024,
      sizeBytes: 1000000 * 1024,
      freePercent: 10,
    });
    expect(r.disks.find((d) => d.machine === 'app-01')?.freePercent).toBe(50);
    expect(r.volumes).toContainEqual({
      machine: 'db-01',
      component: 'minio',
      volume: 'heal-pyroscope-minio-data',
      bytes: 3 * 1024 ** 3,
    });
    expect(r.warnings).toEqual([expect.stringMatching(/^db-01: \/ \(the Docker root.*\) has 10% free/)]);
    // A warning is not drift: status stays ok.
    expect(r.ok).toBe(true);
  });

  it('reports a missing container', async () => {
    const { stack } = await installed();
    await stack.app.engine.removeContainer('heal-pyroscope-tempo');
    const r = await report(stack);
    expect(r.ok).toBe(false);
    expect(of(r, 'tempo')).toMatchObject({
      present: false,
      running: false,
      healthy: false,
      image: null,
      drift: ['container missing'],
    });
  });

  it('reports a stopped container as not running', async () => {
    const { stack } = await installed();
    await stack.db.engine.stopContainer('heal-pyroscope-minio');
    expect(of(await report(stack), 'minio')).toMatchObject({
      running: false,
      healthy: false,
      drift: ['not running (exited)'],
    });
  });

  it('reports a container that runs another image than the configured one', async () => {
    const { stack, specs } = await installed();
    const spec = specs.find((s) => s.component === 'haproxy')!;
    await stack.web.engine.removeContainer(spec.name);
    stack.web.engine.addImage('haproxy:3.0.0');
    await stack.web.engine.createContainer({ ...createOptions(spec, '0.1.0'), Image: 'haproxy:3.0.0' });
    await stack.web.engine.startContainer(spec.name);
    expect(of(await report(stack), 'haproxy').drift).toEqual([`image haproxy:3.0.0, configured ${spec.image}`]);
  });

  it('reports settings that differ from the configuration (its spec hash)', async () => {
    const { stack, specs } = await installed();
    const spec = specs.find((s) => s.component === 'pyroscope')!;
    await stack.app.engine.removeContainer(spec.name);
    await stack.app.engine.createContainer({
      ...createOptions(spec, '0.1.0'),
      Labels: { ...containerLabels(spec, '0.1.0'), [LABELS.specHash]: 'older' },
    });
    await stack.app.engine.startContainer(spec.name);
    expect(of(await report(stack), 'pyroscope').drift).toEqual([
      'settings differ from the configuration (run install to apply)',
    ]);
  });

  it('reports a running container that does not answer its health endpoint', async () => {
    const { stack } = await installed();
    stack.app.http = (_h, port) =>
      port === 3200 ? { status: 503, body: 'Ingester not ready' } : { status: 200, body: 'ok' };
    expect(of(await report(stack), 'tempo')).toMatchObject({
      running: true,
      healthy: false,
      drift: ['does not answer its health endpoint'],
    });
  });

  it('without a state file, judges presence, running and health only, and says so', async () => {
    const { stack } = await installed();
    const r = await report({ ...stack, statePath: `${stack.statePath}.absent` });
    expect(r.note).toContain('settings cannot be compared');
    expect(r.ok).toBe(true);
  });

  it('reports the components of a host whose engine is down, naming the cause, and still reads the others', async () => {
    const { stack } = await installed();
    const down = new HealError({
      code: 'docker.not-running',
      message: 'Docker engine on app-01 is not running (no socket at /var/run/docker.sock)',
    });
    stack.app.engine.inspectContainer = () => Promise.reject(down);
    const r = await report(stack);
    expect(r.ok).toBe(false);
    expect(of(r, 'tempo')).toMatchObject({ present: false, healthy: false, drift: [down.message] });
    expect(of(r, 'minio')).toMatchObject({ running: true, healthy: true, drift: [] });
  });
});
