import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPONENTS, FLOWS, componentsOn, listenPorts, component, port } from '../../../src/stack/manifest.js';
import { imageRef } from '../../../src/stack/image-ref.js';
import { componentTable, flowTable } from '../../../src/stack/table.js';

describe('stack manifest', () => {
  it('pins the exact images the guide requires', () => {
    expect(imageRef(component('pyroscope'))).toBe('grafana/pyroscope:1.14.0');
    expect(imageRef(component('tempo'))).toBe('grafana/tempo:2.8.1');
    // Docker Hub deleted minio/minio on 2026-09-12; quay.io serves the same tags.
    expect(imageRef(component('minio'))).toBe('quay.io/minio/minio:RELEASE.2025-06-13T11-33-47Z');
    expect(imageRef(component('grafana'))).toMatch(/^grafana\/grafana:12\.\d+\.\d+$/);
    expect(imageRef(component('haproxy'))).toMatch(/^haproxy:3\.2\.\d+$/);
  });

  it('never uses a floating tag', () => {
    for (const c of COMPONENTS) {
      expect(c.tag, c.name).not.toMatch(/^(latest|stable|main|\d+|\d+\.\d+)$/);
    }
  });

  it('places each component on its tier with its ports', () => {
    expect(
      componentsOn('app')
        .map((c) => c.name)
        .sort(),
    ).toEqual(['grafana', 'pyroscope', 'tempo']);
    expect(componentsOn('db').map((c) => c.name)).toEqual(['minio']);
    expect(componentsOn('web').map((c) => c.name)).toEqual(['haproxy']);
    expect(componentsOn('target')).toEqual([]);
    expect(listenPorts('app').sort((a, b) => a - b)).toEqual([3000, 3200, 4040, 4317, 14250]);
    expect(listenPorts('db')).toEqual([9000, 9001]);
    expect(listenPorts('web')).toEqual([9940]);
  });

  it('names every port with a unique id that starts with its component', () => {
    const ids = COMPONENTS.flatMap((c) => c.ports.map((p) => p.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of COMPONENTS) for (const p of c.ports) expect(p.id.split('.')[0], p.id).toBe(c.name);
  });

  it('looks a port up by its id', () => {
    expect(port('minio.console')).toBe(9001);
    expect(port('haproxy.front-door')).toBe(9940);
    expect(port('tempo.jaeger-grpc')).toBe(14250);
  });

  it('checks each component on one of its own ports', () => {
    for (const c of COMPONENTS)
      expect(
        c.ports.map((p) => p.port),
        c.name,
      ).toContain(c.health.port);
  });

  it('uses the configured Grafana port', () => {
    expect(listenPorts('app', { grafana: 3300 })).toContain(3300);
    expect(listenPorts('app', { grafana: 3300 })).not.toContain(3000);
  });

  it('declares exactly the required flows', () => {
    expect(FLOWS.map((f) => `${f.from}->${f.to}:${f.ports.join(',')}`)).toEqual([
      'target->web:9940',
      'web->app:4040,4317,14250,3200',
      'app->db:9000',
    ]);
  });

  it('every flow ends on a port a component listens on', () => {
    for (const flow of FLOWS) {
      for (const port of flow.ports) expect(listenPorts(flow.to), `${flow.to}:${port}`).toContain(port);
    }
  });

  it('puts images under a private registry prefix', () => {
    expect(imageRef(component('tempo'), 'registry.internal:5000/mirror/')).toBe(
      'registry.internal:5000/mirror/grafana/tempo:2.8.1',
    );
  });

  it('agrees with the README component and flow tables', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(componentTable());
    expect(readme).toContain(flowTable());
  });
});
