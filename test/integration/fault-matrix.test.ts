// The fault matrix (issue 14, point 6): every lab fault against preflight, install, uninstall and
// status, one test per cell of test/integration/fault-matrix.cases.ts (docs/fault-matrix.md's
// table is rendered from it). Each cell asserts the exit code, one output line naming the cause and
// the host, and each server's engine and /opt, by listing, exactly as before the faulted command.
// Cells run in two groups: nothing installed (preflight, install), then a stack installed once and
// repaired only after a cell changed it (uninstall, status).

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLabSh } from '../lab/lab-sh.js';
import { labExec, labSkipReason, requireLab, resetLab, waitFor } from '../lab/lab.js';
import { spawnCli } from '../support/cli-process.js';
import { hostSnapshot, productContainers, SERVERS } from '../support/host-snapshot.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';
import { CELLS, FAULTS, type MatrixCell } from './fault-matrix.cases.js';

const skip = labSkipReason();

function faultArgs(cell: MatrixCell): string[] {
  const fault = FAULTS.find((f) => f.id === cell.fault);
  if (!fault) throw new Error(`no fault ${cell.fault} in FAULTS`);
  return fault.fault.map(String);
}

/** The host a one-host fault (slow-registry, kill-docker) applies to. */
function faultedHost(cell: MatrixCell): string {
  return faultArgs(cell)[1]!;
}

function cellName(cell: MatrixCell): string {
  return `${cell.fault} / ${[cell.command, ...(cell.args ?? [])].join(' ')}: exit ${cell.exit}${cell.host ? `, names ${cell.host}` : ''}`;
}

/**
 * Asserts the one line of the output that names the cause and the host (none for a cell without a
 * cause). Preflight's report names the host once, as the heading of its indented results, and
 * status as the first word of a row with its drift indented below: such a line names the host too.
 */
function expectCause(cell: MatrixCell, output: string): void {
  const { cause, host } = cell;
  if (cause === null) return;
  let heading = '';
  const named = output.split('\n').some((line) => {
    if (/^\S/.test(line)) heading = line.trim();
    return (
      cause.test(line) &&
      (host === null || line.includes(host) || (/^\s/.test(line) && heading.split(/\s+/)[0] === host))
    );
  });
  expect(named, `no line matches ${String(cause)}${host ? ` and names ${host}` : ''}:\n${output}`).toBe(true);
}

async function labSh(args: string[]): Promise<void> {
  const r = await runLabSh(args);
  if (r.exitCode !== 0)
    throw new Error(`lab.sh ${args.join(' ')} failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
}

describe.skipIf(skip !== undefined)('fault matrix (lab)', () => {
  let topo: { dir: string; path: string };
  const cli = (args: string[]): Promise<RunResult> =>
    runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
  const commandLine = (cell: MatrixCell) => [
    cell.command,
    ...(cell.args ?? []),
    ...(cell.command === 'install' ? ['--wait', '30'] : []),
  ];
  /** Every fault undone, sshd and engines back, what is installed kept. */
  const faultsUndone = () => labSh(['up']);

  /** What the lab's app and web hosts run and listen on: printed when a setup install fails. */
  async function diagnosis(): Promise<string> {
    const parts: string[] = [];
    const show = async (host: string, argv: string[]) => {
      const r = await labExec(host, argv, { timeoutMs: 20_000 }).catch((e: unknown) => ({
        exitCode: -1,
        stdout: '',
        stderr: String(e),
      }));
      parts.push(`--- ${host}: ${argv.join(' ')} (exit ${r.exitCode})\n${r.stdout}${r.stderr}`);
    };
    await show('app-01', ['docker', 'ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Ports}}']);
    await show('app-01', ['ss', '-Hltnp']);
    await show('app-01', ['docker', 'logs', '--tail', '40', 'heal-pyroscope-tempo']);
    await show('app-01', ['docker', 'exec', 'heal-pyroscope-tempo', 'ps', '-o', 'pid,stat,args']);
    await show('app-01', ['iptables', '-t', 'nat', '-S']);
    await show('web-01', ['docker', 'logs', '--tail', '40', 'heal-pyroscope-haproxy']);
    return `[fault-matrix] setup install failed; the lab as found:\n${parts.join('\n')}`;
  }

  /** A cell that did not finish cleanly leaves this set: the next cell starts from a known state. */
  let suspect = false;

  /** Nothing installed anywhere, no local state of an earlier run. */
  async function clean(): Promise<void> {
    await resetLab();
    rmSync(join(topo.dir, '.heal-pyroscope'), { recursive: true, force: true });
  }

  beforeAll(() => {
    topo = labTopologyFile(requireLab());
  });
  afterAll(async () => {
    await resetLab();
  });

  /** Applies the fault, runs the command, lists the hosts, undoes the fault; then asserts. */
  async function runCell(cell: MatrixCell): Promise<void> {
    suspect = true;
    await labSh(['fault', ...faultArgs(cell)]);
    let r: RunResult;
    let before: string;
    let after: string;
    try {
      const listed = cell.unchanged === 'all' || cell.host === null ? SERVERS : [cell.host];
      before = await hostSnapshot(listed);
      r = await cli(commandLine(cell));
      after = await hostSnapshot(listed);
    } finally {
      await faultsUndone();
    }
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(cell.exit);
    expectCause(cell, output);
    if (cell.unchanged === 'none') {
      for (const host of SERVERS) expect(await productContainers(host), host).toEqual([]);
    } else {
      expect(after).toEqual(before);
    }
    if (cell.unchanged === 'host') {
      for (const host of SERVERS.filter((h) => h !== cell.host))
        expect(await productContainers(host), host).toEqual([]);
    }
    suspect = false;
  }

  /** Ctrl-C (SIGINT to a real CLI process, so its own handler runs) while the faulted host pulls. */
  async function runSigintCell(cell: MatrixCell): Promise<void> {
    suspect = true;
    const host = faultedHost(cell);
    // The faulted host has no image, so its pulls crawl and the interrupt lands mid-pull.
    await labExec(host, ['sh', '-c', 'docker image ls -aq | xargs -r docker rmi -f']);
    await labSh(['fault', ...faultArgs(cell)]);
    let output = '';
    let code: number | null | 'timeout' = null;
    let after: string;
    const before = await hostSnapshot();
    const proc = spawnCli([...commandLine(cell), '--config', topo.path, '--yes'], { cwd: topo.dir });
    try {
      // A host's images are pulled at the same time: any of them in progress means the pulls started.
      const pulling = new RegExp(`${host}: \\S+ \\(\\d+/\\d+\\)`);
      await waitFor(`a pull to start on ${host}`, () => pulling.test(proc.stdout() + proc.stderr()), 60_000, 50);
      proc.child.kill('SIGINT');
      code = await proc.exited(30_000);
      after = await hostSnapshot();
    } finally {
      proc.kill();
      output = `${proc.stdout()}\n${proc.stderr()}`;
      await faultsUndone();
    }
    expect(code, output).toBe(cell.exit);
    expectCause(cell, output);
    expect(after).toEqual(before);
    suspect = false;
  }

  /** The engine killed once MinIO runs on it; after `lab.sh up` restarts it, `uninstall` finishes. */
  async function runMidInstallCell(cell: MatrixCell): Promise<void> {
    suspect = true;
    const host = faultedHost(cell);
    const before = await hostSnapshot();
    const install = cli(commandLine(cell));
    let r: RunResult;
    try {
      await waitFor(
        'MinIO to run',
        async () => ((await productContainers(host)) ?? []).includes('heal-pyroscope-minio'),
        60_000,
        200,
      );
      await labSh(['fault', ...faultArgs(cell)]);
      r = await install;
    } finally {
      await install.catch(() => undefined);
      await faultsUndone();
    }
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(cell.exit);
    expectCause(cell, output);
    try {
      const uninstall = await cli(['uninstall']);
      expect(uninstall.code, `${uninstall.stdout}\n${uninstall.stderr}`).toBe(0);
      expect(await hostSnapshot()).toEqual(before);
    } finally {
      // The engine restarted after the crash restores MinIO's port mappings, and its docker-proxy
      // processes outlive the container's removal, holding 9000 and 9001 (a Docker flaw, not listed
      // by any docker command): a clean restart of the engine ends them before the next cell.
      await labSh(['fault', 'stop-docker', host]);
      await faultsUndone();
    }
    suspect = false;
  }

  const drive = (cell: MatrixCell) =>
    cell.drive === 'sigint'
      ? runSigintCell(cell)
      : cell.drive === 'mid-install'
        ? runMidInstallCell(cell)
        : runCell(cell);

  describe('nothing installed', () => {
    beforeAll(async () => {
      await clean();
      suspect = false;
    });
    beforeEach(async () => {
      if (suspect) await clean();
      suspect = false;
    });
    for (const cell of CELLS.filter((c) => !c.installed)) it(cellName(cell), () => drive(cell), 180_000);
  });

  describe('stack installed', () => {
    /** Set by a cell that may have changed the stack: the next one installs (repairs) it first. */
    let stale = true;
    beforeEach(async () => {
      if (suspect) await faultsUndone();
      if (stale || suspect) {
        let r = await cli(['install', '--wait', '60']);
        if (r.code !== 0) {
          // Setting up is not what a cell tests: a stack the repair could not bring back is shown,
          // then installed afresh on a clean lab, so one bad start does not fail every later cell.
          console.log(`${await diagnosis()}\n--- the install:\n${r.stdout}\n${r.stderr}`);
          await clean();
          r = await cli(['install', '--wait', '60']);
        }
        expect(r.code, `setup install failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
      }
      stale = false;
      suspect = false;
    });
    for (const cell of CELLS.filter((c) => c.installed)) {
      it(
        cellName(cell),
        async () => {
          if (cell.command !== 'status' || FAULTS.find((f) => f.id === cell.fault)?.restartsEngine) stale = true;
          await drive(cell);
        },
        180_000,
      );
    }
  });
});
