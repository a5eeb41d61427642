import { describe, expect, it } from 'vitest';
import { linePrefixes } from '../../../src/commands/logs.js';
import { createOptions, containerSpecs } from '../../../src/plan/container-spec.js';
import { parseSince, parseTail } from '../../../src/phases/logs/log-request.js';
import { logsPhases, type ComponentLogLine, type LogsContext } from '../../../src/phases/logs/logs.js';
import { serverInventory } from '../../../src/phases/shared/reachable.js';
import { runPhases } from '../../../src/runner/runner.js';
import { renderContext } from '../../../src/render/context.js';
import { renderStack } from '../../../src/render/render.js';
import type { ComponentName } from '../../../src/stack/manifest.js';
import { ADDRESSES, fakeStack, topology, type FakeStack } from '../support/fake-stack.js';

const NOW = Date.UTC(2026, 10, 25, 14, 0, 0);

describe('--since', () => {
  it('takes a duration back from now', () => {
    expect(parseSince('90s', NOW)).toEqual({ seconds: NOW / 1000 - 90 });
    expect(parseSince('1h30m', NOW)).toEqual({ seconds: NOW / 1000 - 5400 });
    expect(parseSince('2d', NOW)).toEqual({ seconds: NOW / 1000 - 172800 });
  });

  it('takes a time with its zone, or a date (midnight UTC)', () => {
    expect(parseSince('2026-11-25T13:00:00Z', NOW)).toEqual({ seconds: NOW / 1000 - 3600 });
    expect(parseSince('2026-11-25T15:00:00+02:00', NOW)).toEqual({ seconds: NOW / 1000 - 3600 });
    expect(parseSince('2026-11-25', NOW)).toEqual({ seconds: NOW / 1000 - 14 * 3600 });
  });

  it('refuses what is neither, saying what it takes', () => {
    for (const bad of ['yesterday', '10', '5 m', '-1h', '2026-13-45'])
      expect(parseSince(bad, NOW)).toMatchObject({ problem: expect.stringContaining('neither a duration') });
  });
});

describe('--tail', () => {
  it('takes a whole number of lines, 0 included', () => {
    expect(parseTail('0')).toEqual({ lines: 0 });
    expect(parseTail('50')).toEqual({ lines: 50 });
    expect(parseTail('-1')).toMatchObject({ problem: expect.any(String) });
    expect(parseTail('ten')).toMatchObject({ problem: expect.any(String) });
  });
});

describe('line prefixes', () => {
  it('name the component, padded to one width, on one machine', () => {
    const p = linePrefixes([
      { component: 'pyroscope', host: 'app-01' },
      { component: 'tempo', host: 'app-01' },
    ]);
    expect(p.get('pyroscope')).toBe('pyroscope | ');
    expect(p.get('tempo')).toBe('tempo     | ');
  });

  it('name the host too when the components live on several machines', () => {
    const p = linePrefixes([
      { component: 'minio', host: 'db-01' },
      { component: 'grafana', host: 'app-01' },
    ]);
    expect(p.get('minio')).toBe('db-01 minio    | ');
    expect(p.get('grafana')).toBe('app-01 grafana | ');
  });
});

/** The stack running on fake hosts, each container with a log of its own. */
async function installed(skip: ComponentName[] = []): Promise<FakeStack> {
  const stack = fakeStack();
  const t = topology();
  const rendered = renderStack(
    renderContext({
      hosts: ADDRESSES,
      grafanaPort: t.grafanaPort,
      minio: { accessKey: 'a'.repeat(20), secretKey: 's'.repeat(40) },
      grafanaAdmin: { user: 'admin', password: 'p'.repeat(24) },
      frontDoor: 'container',
    }),
  );
  for (const spec of containerSpecs(rendered, t.images, t.containers)) {
    if (skip.includes(spec.component)) continue;
    const engine = stack[spec.tier].engine;
    engine.addImage(spec.image);
    await engine.createContainer(createOptions(spec, '0.1.0'));
    await engine.startContainer(spec.name);
    engine.logs.set(spec.name, `${spec.component} line 1\n${spec.component} line 2\n${spec.component} line 3\n`);
  }
  return stack;
}

async function readLogs(
  stack: FakeStack,
  components: ComponentName[],
  request: LogsContext['request'] = { follow: false },
) {
  const lines: ComponentLogLine[] = [];
  const ctx: LogsContext = {
    topology: topology(),
    connect: stack.connect,
    hosts: serverInventory(topology()),
    components,
    request,
    onLine: (l) => lines.push(l),
    stop: new AbortController().signal,
    sources: [],
  };
  const result = await runPhases(logsPhases(), ctx);
  return { lines, result };
}

describe('the logs phases', () => {
  it("read the named components' logs, one container after the other, each line with its component and host", async () => {
    const stack = await installed();
    const { lines, result } = await readLogs(stack, ['tempo', 'minio']);
    expect(result.ok).toBe(true);
    // Manifest order (minio first), whatever order they were named in.
    expect(lines.map((l) => `${l.host} ${l.component} ${l.line}`)).toEqual([
      'db-01 minio minio line 1',
      'db-01 minio minio line 2',
      'db-01 minio minio line 3',
      'app-01 tempo tempo line 1',
      'app-01 tempo tempo line 2',
      'app-01 tempo tempo line 3',
    ]);
    expect(lines[0]).toMatchObject({ stream: 'stdout', time: '2026-01-01T00:00:00.000000000Z' });
  });

  it('pass --tail to the engine', async () => {
    const stack = await installed();
    const { lines } = await readLogs(stack, ['pyroscope'], { follow: false, tail: 1 });
    expect(lines.map((l) => l.line)).toEqual(['pyroscope line 3']);
  });

  it('refuse a named component that is not installed, naming it and its host, before reading any log', async () => {
    const stack = await installed(['pyroscope']);
    const { lines, result } = await readLogs(stack, ['grafana', 'pyroscope']);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      code: 'logs.not-installed',
      message: 'cannot read the logs: pyroscope is not installed on app-01 (no container heal-pyroscope-pyroscope)',
      exitCode: 1,
    });
    expect(lines).toEqual([]);
    expect(stack.app.engine.calls.filter((c) => c.startsWith('logStream'))).toEqual([]);
  });

  it('without names, read every installed component and pass over one that is not (an external front door)', async () => {
    const stack = await installed(['haproxy']);
    const { lines, result } = await readLogs(stack, []);
    expect(result.ok).toBe(true);
    expect([...new Set(lines.map((l) => l.component))]).toEqual(['minio', 'pyroscope', 'tempo', 'grafana']);
  });

  it('say so when nothing is installed at all', async () => {
    const { result } = await readLogs(fakeStack(), []);
    expect(result.error).toMatchObject({
      code: 'logs.not-installed',
      message: 'cannot read the logs: no component is installed',
    });
  });
});
