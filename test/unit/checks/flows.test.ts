import { execa } from 'execa';
import { mkdtempSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../../src/checks/check.js';
import {
  arrivalNote,
  checkFlows,
  listenerArgv,
  listenerPollDelayMs,
  plannedFlows,
  tallyListener,
} from '../../../src/checks/flows.js';
import type { Host } from '../../../src/hosts/host.js';
import type { ExecOptions, ExecResult, ProbeResult, ProbeState } from '../../../src/remote/index.js';
import { FakeHost } from '../support/fake-host.js';
import { container, facts, machine } from './fixtures.js';

/**
 * A host whose test listener behaves like the real one: it notes each source's address and ends
 * after the sources it was told to expect, or at the second probe of 127.0.0.1:PORT from the host
 * itself (the first is the readiness probe); a source's probe arrives when `reach` says open.
 * Its deadline is never waited out here: a listener left waiting fails the test.
 */
class ListeningHost extends FakeHost {
  readonly listeners: Array<{ port: number; sources: number }> = [];
  private readonly waiting = new Map<
    number,
    { left: number; local: number; lines: string[]; end: (r: ExecResult) => void }
  >();

  constructor(
    name: string,
    private readonly reach: (host: string, port: number) => ProbeState = () => 'open',
    private readonly peers: ListeningHost[] = [],
  ) {
    super(name);
  }

  /** The address its connections come from, when not its own (a NAT on the path). */
  from: string | undefined;

  connectTo(...peers: ListeningHost[]): this {
    this.peers.push(...peers);
    return this;
  }

  override async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (!argv.includes(listenerArgv(0, 0, 0)[2]!)) return super.exec(argv, options);
    this.commands.push([...argv]);
    const [port, sources] = argv.slice(-3).map(Number) as [number, number];
    this.listeners.push({ port, sources });
    return new Promise((end) =>
      this.waiting.set(port, { left: sources, local: 0, lines: [`listening ${4000 + this.listeners.length}`], end }),
    );
  }

  accept(port: number, from: string): boolean {
    const l = this.waiting.get(port);
    if (!l) return false;
    const local = from === '127.0.0.1';
    if (local) l.local += 1;
    else l.lines.push(`from ${from}`);
    if ((local && l.local > 1) || (!local && --l.left === 0)) {
      this.waiting.delete(port);
      l.end({ code: 0, stdout: l.lines.join('\n'), stderr: '' });
    }
    return true;
  }

  // FakeHost's probeTcp takes no arguments; the checks call it with (host, port, timeout).
  override async probeTcp(...args: unknown[]): Promise<ProbeResult> {
    const [host, port] = args as [string, number];
    if (host === '127.0.0.1')
      return this.accept(port, host)
        ? { state: 'open', via: 'forward', detail: 'connected' }
        : { state: 'refused', via: 'forward', detail: 'refused' };
    const state = this.reach(host, port);
    if (state === 'open')
      this.peers.find((p) => `${p.name}.lab` === host)?.accept(port, this.from ?? `${this.name}.lab`);
    return { state, via: 'forward', detail: state };
  }
}

const flowCtx = (hosts: Host[]): CheckContext => ({
  topology: {} as CheckContext['topology'],
  hosts,
  probeTimeoutMs: 3000,
});
const quiet = () => facts({ listeners: [] });

function connect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve();
    });
    s.on('error', reject);
  });
}

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const ok = await connect(port).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on ${port}`);
}

describe('flows', () => {
  it('plans every required flow between the machines that serve each tier', () => {
    const states = [
      machine('t1', ['target']),
      machine('t2', ['target']),
      machine('w', ['web']),
      machine('a', ['app']),
      machine('d', ['db']),
    ];
    const planned = plannedFlows(states, { otlpHttp: false }).map((p) => `${p.source.name}->${p.dest.name}:${p.port}`);
    expect(planned).toEqual([
      't1->w:9940',
      't2->w:9940',
      'w->a:4040',
      'w->a:4317',
      'w->a:14250',
      'w->a:3200',
      'a->d:9000',
    ]);
  });

  it('plans web -> app 4318 too with frontDoor.otlpHttp', () => {
    const planned = plannedFlows([machine('t', ['target']), machine('w', ['web']), machine('a', ['app'])], {
      otlpHttp: true,
    });
    expect(planned.map((p) => `${p.source.name}->${p.dest.name}:${p.port}`)).toContain('w->a:4318');
  });

  it('plans flows within one machine when tiers share it', () => {
    const planned = plannedFlows([machine('t', ['target']), machine('one', ['web', 'app', 'db'])], { otlpHttp: false });
    expect(planned.map((p) => `${p.source.name}->${p.dest.name}:${p.port}`)).toEqual([
      't->one:9940',
      'one->one:4040',
      'one->one:4317',
      'one->one:14250',
      'one->one:3200',
      'one->one:9000',
    ]);
  });

  it('runs a real short-lived listener that ends on its second connection from the host itself', async () => {
    const port = 47000 + Math.floor(Math.random() * 1000);
    const [cmd, ...args] = listenerArgv(port, 2, 20);
    const listener = execa(cmd!, args, { reject: false });
    await waitListening(port);
    await connect(port);
    const r = await listener;
    expect(r.exitCode).toBe(0);
    // Loopback connections are the host's own (readiness, then the end): no source counted.
    expect(tallyListener(r.stdout)).toEqual({ pid: listener.pid, from: new Map() });
    // Real processes: on a loaded 2-core machine perl alone can take seconds to start.
  }, 30_000);

  it('reads the listener tally: its pid and the connections by source address', () => {
    const tally = tallyListener('listening 812\nfrom 10.0.0.5\nfrom 10.0.0.6\nfrom 10.0.0.5\n');
    expect(tally.pid).toBe(812);
    expect([...tally.from]).toEqual([
      ['10.0.0.5', 2],
      ['10.0.0.6', 1],
    ]);
    expect(arrivalNote(tally, '10.0.0.6')).toBe('the test listener counted a connection from 10.0.0.6');
    expect(arrivalNote(tally, '10.0.0.7')).toMatch(
      /^the test listener counted no connection from 10\.0\.0\.7 \(it saw 10\.0\.0\.5, 10\.0\.0\.6\): a NAT or proxy/,
    );
  });

  it('starts one listener for every source of a flow and attributes each arrival to its source', async () => {
    const web = new ListeningHost('w');
    const names = Array.from({ length: 20 }, (_, i) => `t${i + 1}`);
    const targets = names.map((n) => new ListeningHost(n).connectTo(web));
    const hosts = [
      ...names.map((n, i) => machine(n, ['target'], { connection: targets[i] })),
      machine('w', ['web'], { connection: web, facts: quiet() }),
    ];
    const results = await checkFlows(flowCtx(hosts));
    expect(web.listeners).toEqual([{ port: 9940, sources: 20 }]);
    expect(results).toHaveLength(20);
    for (const r of results) {
      expect(r.status).toBe('pass');
      expect(r.evidence[0]).toBe('one test listener on w:9940 for 20 sources (pid 4001)');
      expect(r.evidence).toContain(`the test listener counted a connection from ${r.host}.lab`);
    }
  });

  it('says so when an open flow arrived from another address than its source (a NAT on the path)', async () => {
    const web = new ListeningHost('w');
    const t1 = new ListeningHost('t1').connectTo(web);
    t1.from = '192.0.2.9';
    const results = await checkFlows(
      flowCtx([
        machine('t1', ['target'], { connection: t1 }),
        machine('w', ['web'], { connection: web, facts: quiet() }),
      ]),
    );
    expect(results).toMatchObject([{ host: 't1', status: 'pass' }]);
    expect(results[0]?.evidence.at(-1)).toMatch(
      /^the test listener counted no connection from t1\.lab \(it saw 192\.0\.2\.9\)/,
    );
  });

  it('falls back to python3 when the host has no perl', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'hp-nopl-'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    // The real interpreter, not a version-manager shim (which needs more than sh on the PATH).
    symlinkSync(
      (await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim(),
      join(bin, 'python3'),
    );
    const port = 48000 + Math.floor(Math.random() * 1000);
    const [cmd, ...args] = listenerArgv(port, 1, 20);
    const listener = execa(join(bin, cmd!), args, { reject: false, env: { PATH: bin }, extendEnv: false });
    await waitListening(port);
    await connect(port);
    const r = await listener;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^listening \d+$/);
  }, 30_000);

  it('the listener says so when the port is taken', async () => {
    const server = net.createServer().listen(0, '0.0.0.0');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const [cmd, ...args] = listenerArgv(port, 1, 5);
    const r = await execa(cmd!, args, { reject: false });
    server.close();
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/^bind failed/);
  });

  it('does not test flows to a host without SSH: not tested, naming why, and no probe from the sources', async () => {
    const web = new ListeningHost('w');
    const hosts = [
      machine('t', ['target']),
      machine('w', ['web'], { connection: web, facts: quiet() }),
      machine('a', ['app'], { connection: undefined, facts: undefined }),
    ];
    const results = await checkFlows(flowCtx(hosts));
    const toApp = results.filter((r) => r.summary.startsWith('w -> a:'));
    expect(toApp).toHaveLength(4);
    for (const r of toApp) {
      expect(r.status).toBe('skip');
      expect(r.summary).toMatch(/^w -> a:\d+: not tested \(no SSH to a, so nothing listens there yet\)$/);
      expect(r.remedy).toBeUndefined();
    }
    expect(results.every((r) => r.status !== 'fail')).toBe(true);
  });

  it('starts no listener for a flow whose only source has no SSH', async () => {
    const web = new ListeningHost('w');
    const hosts = [machine('t', ['target']), machine('w', ['web'], { connection: web, facts: quiet() })];
    const results = await checkFlows(flowCtx(hosts));
    expect(results).toMatchObject([
      { host: 't', status: 'skip', summary: 't -> w:9940: not tested (no SSH to the source)' },
    ]);
    expect(web.listeners).toEqual([]);
  });

  it('tests the port of a stopped container like a free one: a stopped container publishes nothing', async () => {
    const db = new ListeningHost('d');
    const app = new ListeningHost('a').connectTo(db);
    const stopped = { ...container('heal-pyroscope-minio', 9000), state: 'exited' };
    const withStopped = facts({ listeners: [], docker: { ...facts().docker!, containers: [stopped] } });
    const results = await checkFlows(
      flowCtx([
        machine('a', ['app'], { connection: app }),
        machine('d', ['db'], { connection: db, facts: withStopped }),
      ]),
    );
    expect(db.listeners).toEqual([{ port: 9000, sources: 1 }]);
    expect(results).toMatchObject([{ host: 'a', status: 'pass', summary: 'a -> d:9000 open' }]);
  });

  it('counts only the connected sources when it starts a listener', async () => {
    const t1 = new ListeningHost('t1');
    const web = new ListeningHost('w');
    t1.connectTo(web);
    const hosts = [
      machine('t1', ['target'], { connection: t1 }),
      machine('t2', ['target']),
      machine('w', ['web'], { connection: web, facts: quiet() }),
    ];
    const results = await checkFlows(flowCtx(hosts));
    // One source, t1: t2 would never come.
    expect(web.listeners).toEqual([{ port: 9940, sources: 1 }]);
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['t1', 'pass'],
      ['t2', 'skip'],
    ]);
  });

  it('ends the listener once every source has probed, though a filtered flow never connected', async () => {
    const t1 = new ListeningHost('t1', () => 'timeout');
    const t2 = new ListeningHost('t2');
    const web = new ListeningHost('w');
    t2.connectTo(web);
    const hosts = [
      machine('t1', ['target'], { connection: t1 }),
      machine('t2', ['target'], { connection: t2 }),
      machine('w', ['web'], { connection: web, facts: quiet() }),
    ];
    const results = await checkFlows(flowCtx(hosts));
    expect(results.map((r) => `${r.host} ${r.status} ${r.summary}`)).toEqual([
      't1 fail t1 -> w:9940 filtered (timed out)',
      't2 pass t2 -> w:9940 open',
    ]);
    expect(results[0]?.remedy).toContain('a firewall drops t1');
  });
});

describe('flows: waiting for the test listener', () => {
  it('polls from 20 ms, growing by half, to at most 200 ms', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 40].map(listenerPollDelayMs)).toEqual([20, 30, 45, 68, 101, 152, 200, 200]);
  });
});
