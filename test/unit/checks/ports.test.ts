import { describe, expect, it } from 'vitest';
import type { CheckContext, CheckResult } from '../../../src/checks/check.js';
import { portHolders, portsCheck, portsFor } from '../../../src/checks/ports.js';
import { LABELS, PRODUCT } from '../../../src/stack/manifest.js';
import { container, facts, machine } from './fixtures.js';

const ctx = { topology: { grafanaPort: 3000 } } as CheckContext;
const run = (state: ReturnType<typeof machine>) => (portsCheck.run(state, ctx) as CheckResult[])[0]!;

describe('ports check', () => {
  it('lists the ports of every tier a machine serves, with the configured Grafana port', () => {
    expect(portsFor(machine('a', ['app', 'db']), 3300, { otlpHttp: false })).toEqual([
      3200, 3300, 4040, 4317, 9000, 9001, 14250,
    ]);
    expect(portsFor(machine('a', ['app']), 3000, { otlpHttp: true })).toContain(4318);
  });

  it('passes when the ports are free', () => {
    expect(run(machine('web', ['web']))).toMatchObject({ status: 'pass', summary: '9940 free' });
  });

  it('names the process holding a port', () => {
    const state = machine('app', ['app'], {
      facts: facts({ listeners: [{ address: '0.0.0.0', port: 4040, process: 'nc (pid 77)' }] }),
    });
    expect(run(state)).toMatchObject({ status: 'fail', summary: 'in use: 4040 by process nc (pid 77)' });
  });

  it('names a foreign container publishing a port', () => {
    const f = facts();
    f.docker!.containers = [container('grafana-old', 3000)];
    expect(run(machine('app', ['app'], { facts: f })).summary).toBe('in use: 3000 by container grafana-old (busybox)');
  });

  it('passes a port held by its own container (a re-run)', () => {
    const f = facts({ listeners: [{ address: '0.0.0.0', port: 9000, process: 'docker-proxy (pid 5)' }] });
    f.docker!.containers = [container('heal-pyroscope-minio', 9000, { [LABELS.product]: PRODUCT })];
    expect(portHolders(f, [9000])).toEqual([
      { port: 9000, holder: 'container heal-pyroscope-minio (busybox)', ours: true, haproxy: false },
    ]);
    expect(run(machine('db', ['db'], { facts: f })).status).toBe('pass');
  });

  it('recognises an existing HAProxy on 9940 and says how to live with it', () => {
    const state = machine('web', ['web'], {
      facts: facts({ listeners: [{ address: '0.0.0.0', port: 9940, process: 'haproxy (pid 3)' }] }),
    });
    expect(run(state).remedy).toMatch(/HAProxy already serves 9940/);
  });

  it('warns when listening sockets cannot be listed', () => {
    expect(run(machine('web', ['web'], { facts: facts({ listeners: null }) })).status).toBe('warn');
  });
});
