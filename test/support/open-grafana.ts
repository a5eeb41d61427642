// `heal-pyroscope open grafana` as an operator runs it: a real process on a free loopback port,
// asked for Grafana's /api/health once it prints its URL, then stopped with Ctrl-C (SIGINT).

import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../lab/lab.js';
import { closedPort } from './closed-port.js';

const BIN = fileURLToPath(new URL('../../bin/heal-pyroscope', import.meta.url));

/** The HTTP status of a GET to `url`; rejects when nothing answers. */
export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

export interface OpenRun {
  /** What the process printed (stdout and stderr). */
  output: string;
  /** Grafana's /api/health through the forwarded port, while it ran. */
  health: number;
  /** Its exit code after SIGINT. */
  code: number | null;
  /** The local URL it forwarded. */
  url: string;
}

/** Runs `open grafana` with `topo`'s config until it prints its URL, asks /api/health, then sends SIGINT. */
export async function openGrafana(topo: { dir: string; path: string }): Promise<OpenRun> {
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('node', [BIN, 'open', 'grafana', '--config', topo.path, '--port', String(port)], {
    cwd: topo.dir,
    env: { ...process.env, CI: 'true' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += String(d)));
  child.stderr.on('data', (d: Buffer) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor('the URL', () => output.includes(url) || child.exitCode !== null, 30_000);
    const health = await httpStatus(`${url}/api/health`);
    child.kill('SIGINT');
    return { output, health, code: await exited, url };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
