// `open grafana` against the lab: a real process listens on loopback, carries the request through
// app-01's SSH session to Grafana, and closes on Ctrl-C (exit 130).

import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { closedPort } from '../support/closed-port.js';

const skip = labSkipReason();
const BIN = fileURLToPath(new URL('../../bin/heal-pyroscope', import.meta.url));

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe.skipIf(skip !== undefined)('open (lab)', () => {
  let topo: { dir: string; path: string };
  beforeAll(async () => {
    await resetLab();
    topo = labTopologyFile(requireLab());
    const r = await runCli(['install', '--config', topo.path, '--yes', '--wait', '60'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await resetLab();
  });

  it("forwards a local port to Grafana through app-01's SSH session until Ctrl-C", async () => {
    const port = await closedPort();
    const child = spawn('node', [BIN, 'open', 'grafana', '--config', topo.path, '--port', String(port)], {
      cwd: topo.dir,
      env: { ...process.env, CI: 'true' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += String(d)));
    child.stderr.on('data', (d: Buffer) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the URL', () => output.includes(`http://127.0.0.1:${port}`) || child.exitCode !== null, 30_000);
      expect(output).toMatch(/Grafana: http:\/\/127\.0\.0\.1:\d+ +\(\S+:3000 through app-01's SSH session\)/);
      expect(await status(`http://127.0.0.1:${port}/api/health`)).toBe(200);
      child.kill('SIGINT');
      expect(await exited, output).toBe(130);
      await expect(status(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
