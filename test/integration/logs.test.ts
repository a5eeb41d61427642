// `logs` against the lab's real engines: lines written into a container's own stdout and stderr
// (through /proc/1/fd of its first process, which is what the engine logs) come back through the
// SSH connection with their component, stream and time; --tail, --since and --follow select them,
// Ctrl-C ends a follow with exit 130; a component not installed is an error naming it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli-process.js';
import { contractDocument } from '../support/json-contract.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';

const skip = labSkipReason();

interface LogDoc {
  component: string;
  host: string;
  stream: 'stdout' | 'stderr';
  time: string | null;
  line: string;
}

/** Writes lines into the log of a container, as its first process would (fd 1 stdout, 2 stderr). */
async function writeLog(host: string, container: string, fd: 1 | 2, lines: string[]): Promise<void> {
  const r = await labExec(host, [
    'docker',
    'exec',
    container,
    'sh',
    '-c',
    `printf '%s\\n' "$@" > /proc/1/fd/${fd}`,
    'sh',
    ...lines,
  ]);
  expect(r.exitCode, r.stderr).toBe(0);
}

describe.skipIf(skip !== undefined)('logs (lab)', () => {
  const lab = skip === undefined ? requireLab() : (undefined as never);
  const topo = skip === undefined ? labTopologyFile(lab) : (undefined as never);
  const cli = (args: string[]): Promise<RunResult> =>
    runCli([...args, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const docs = (r: RunResult): LogDoc[] =>
    r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => contractDocument(l) as unknown as LogDoc);
  // A run-unique word, so lines of an earlier run in the same container never count.
  const run = `t${Date.now().toString(36)}`;

  beforeAll(async () => {
    await resetLab();
    const r = await cli(['install', '--wait', '60']);
    expect(r.code, `setup install failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await resetLab();
  });

  it('prints the last N lines with --tail, stdout and stderr told apart in --json, each a valid document', async () => {
    await writeLog('app-01', 'heal-pyroscope-pyroscope', 1, [`${run}-tail-1`, `${run}-tail-2`, `${run}-tail-3`]);
    await writeLog('app-01', 'heal-pyroscope-pyroscope', 2, [`${run}-tail-err`]);
    const r = await cli(['logs', 'pyroscope', '--tail', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = docs(r);
    expect(lines.map((l) => [l.component, l.host, l.stream, l.line])).toEqual([
      ['pyroscope', 'app-01', 'stdout', `${run}-tail-3`],
      ['pyroscope', 'app-01', 'stderr', `${run}-tail-err`],
    ]);
    // The engine's own timestamps (timestamps=true), within a minute of now.
    for (const l of lines) expect(Math.abs(Date.parse(l.time!) - Date.now())).toBeLessThan(60_000);
  });

  it('prefixes each line with its component, and its host when the components live on several machines', async () => {
    await writeLog('db-01', 'heal-pyroscope-minio', 1, [`${run}-minio`]);
    await writeLog('app-01', 'heal-pyroscope-grafana', 1, [`${run}-grafana`]);
    const r = await cli(['logs', 'grafana', 'minio', '--tail', '1']);
    expect(r.code, r.stderr).toBe(0);
    // Manifest order (minio first), one container after the other.
    expect(r.stdout).toBe(`db-01 minio    | ${run}-minio\napp-01 grafana | ${run}-grafana\n`);
    const one = await cli(['logs', 'grafana', '--tail', '1']);
    expect(one.stdout).toBe(`grafana | ${run}-grafana\n`);
  });

  it('prints only the lines from --since on, as a time or a duration', async () => {
    await writeLog('app-01', 'heal-pyroscope-tempo', 1, [`${run}-before`]);
    // The engine's timestamps have nanoseconds; --since takes whole seconds, so step over one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const since = new Date(Math.ceil(Date.now() / 1000) * 1000);
    await new Promise((resolve) => setTimeout(resolve, since.getTime() - Date.now() + 100));
    await writeLog('app-01', 'heal-pyroscope-tempo', 1, [`${run}-after`]);
    const r = await cli(['logs', 'tempo', '--since', since.toISOString()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`tempo | ${run}-after`);
    expect(r.stdout).not.toContain(`${run}-before`);
    const recent = await cli(['logs', 'tempo', '--since', '10m']);
    expect(recent.stdout).toContain(`${run}-before`);
    expect(recent.stdout).toContain(`${run}-after`);
  });

  it('follows new lines until Ctrl-C, then exits 130', async () => {
    const follow = spawnCli(
      ['logs', 'pyroscope', 'grafana', '--follow', '--tail', '0', '--config', topo.path, '--yes'],
      { cwd: topo.dir },
    );
    try {
      // Nothing old (--tail 0); a line written now arrives while the command runs.
      await waitFor(
        'logs --follow to attach',
        async () => {
          await writeLog('app-01', 'heal-pyroscope-grafana', 2, [`${run}-follow`]);
          return follow.stdout().includes(`grafana   | ${run}-follow`);
        },
        30_000,
        500,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nstdout: ${follow.stdout()}\nstderr: ${follow.stderr()}`);
      });
      await writeLog('app-01', 'heal-pyroscope-pyroscope', 1, [`${run}-follow-2`]);
      await waitFor('the second line', () => follow.stdout().includes(`pyroscope | ${run}-follow-2`), 15_000);
      expect(follow.stdout()).not.toContain(`${run}-tail-1`);
      follow.child.kill('SIGINT');
      expect(await follow.exited(15_000), follow.stderr()).toBe(130);
    } finally {
      follow.kill();
    }
  }, 60_000);

  it('refuses an unknown component as a usage error listing the valid ones', async () => {
    const r = await cli(['logs', 'pyroscop']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are minio, pyroscope, tempo, grafana, haproxy');
  });

  it('refuses a component that is not installed, naming it and its host, and prints no line', async () => {
    const removed = await labExec('web-01', ['docker', 'rm', '-f', 'heal-pyroscope-haproxy']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    const r = await cli(['logs', 'haproxy', 'minio']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'error: cannot read the logs: haproxy is not installed on web-01 (no container heal-pyroscope-haproxy)',
    );
    const j = await cli(['logs', 'haproxy', '--json']);
    expect(contractDocument(j.stdout.trim())).toMatchObject({
      command: 'logs',
      ok: false,
      error: { code: 'logs.not-installed' },
    });
  });
});
