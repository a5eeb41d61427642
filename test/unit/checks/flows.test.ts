import { execa } from 'execa';
import { mkdtempSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenerArgv, plannedFlows } from '../../../src/checks/flows.js';
import { machine } from './fixtures.js';

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
    const ok = await connect(port).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on ${port}`);
}

describe('flows', () => {
  it('plans every required flow between the machines that serve each tier', () => {
    const states = [machine('t1', ['target']), machine('t2', ['target']), machine('w', ['web']), machine('a', ['app']), machine('d', ['db'])];
    const planned = plannedFlows(states).map((p) => `${p.source.name}->${p.dest.name}:${p.port}`);
    expect(planned).toEqual(['t1->w:9940', 't2->w:9940', 'w->a:4040', 'w->a:4317', 'w->a:14250', 'w->a:3200', 'a->d:9000']);
  });

  it('plans flows within one machine when tiers share it', () => {
    const planned = plannedFlows([machine('t', ['target']), machine('one', ['web', 'app', 'db'])]);
    expect(planned.map((p) => `${p.source.name}->${p.dest.name}:${p.port}`)).toEqual([
      't->one:9940',
      'one->one:4040',
      'one->one:4317',
      'one->one:14250',
      'one->one:3200',
      'one->one:9000',
    ]);
  });

  it('runs a real short-lived listener that exits after the expected connections', async () => {
    const port = 47000 + Math.floor(Math.random() * 1000);
    const [cmd, ...args] = listenerArgv(port, 2, 20);
    const listener = execa(cmd!, args, { reject: false });
    await waitListening(port);
    await connect(port);
    const r = await listener;
    expect(r.exitCode).toBe(0);
    // Real processes: on a loaded 2-core machine perl alone can take seconds to start.
  }, 30_000);

  it('falls back to python3 when the host has no perl', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'hp-nopl-'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    // The real interpreter, not a version-manager shim (which needs more than sh on the PATH).
    symlinkSync((await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim(), join(bin, 'python3'));
    const port = 48000 + Math.floor(Math.random() * 1000);
    const [cmd, ...args] = listenerArgv(port, 1, 20);
    const listener = execa(join(bin, cmd!), args, { reject: false, env: { PATH: bin }, extendEnv: false });
    await waitListening(port);
    const r = await listener;
    expect(r.exitCode).toBe(0);
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
});
