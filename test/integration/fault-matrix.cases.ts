// The fault matrix (issue 14, point 6) as data: each lab fault against preflight, install,
// uninstall and status, with what the run must show. test/integration/fault-matrix.test.ts runs
// every cell against the lab; docs/fault-matrix.md's table is rendered from this file by
// faultMatrixTable() and test/unit/support/fault-matrix-readme.test.ts fails when the two differ.
// Pure data and formatting: no lab, no vitest, so the unit project can import it.

export type MatrixCommand = 'preflight' | 'install' | 'uninstall' | 'status';
export const MATRIX_COMMANDS: readonly MatrixCommand[] = ['preflight', 'install', 'uninstall', 'status'];

/** `lab.sh fault` arguments: the kind, then its operands. */
export type FaultArgs = [kind: string, ...operands: Array<string | number>];

export interface MatrixFault {
  id: string;
  /** The row's name in docs/fault-matrix.md. */
  title: string;
  fault: FaultArgs;
  /** The fault (or `lab.sh up` undoing it) stops or restarts an engine: an installed stack needs repair after it. */
  restartsEngine?: true;
}

export interface MatrixCell {
  fault: MatrixFault['id'];
  command: MatrixCommand;
  /** Extra CLI arguments (after the command). */
  args?: string[];
  /** The stack is installed (by a clean install) before the fault: uninstall and status need it. */
  installed: boolean;
  exit: number;
  /**
   * The host the cause line names, and the line itself: one line of the output matches both.
   * host null: the cause is no host's (Ctrl-C), the line names only the cause.
   */
  host: string | null;
  /** null: the command succeeds, the fault does not concern it (no cause to name). */
  cause: RegExp | null;
  /**
   * What the listing of every server's engine and /opt must show after the run:
   * `all`: each one exactly as before the command; `host`: the named host exactly as before, and no
   * product container left on the others (an uninstall cleans the hosts it reaches); `none`: no
   * product container left anywhere (an uninstall that succeeds).
   */
  unchanged: 'all' | 'host' | 'none';
  /**
   * How the run is driven: `sigint` interrupts the CLI process while the faulted host pulls;
   * `mid-install` applies the fault once MinIO runs on db-01, then `lab.sh up` and an `uninstall`.
   */
  drive?: 'sigint' | 'mid-install';
  /** The docs/fault-matrix.md cell (exit code and unchanged part are added). */
  shows: string;
}

export const FAULTS: readonly MatrixFault[] = [
  { id: 'drop-flow', title: 'dropped flow', fault: ['drop-flow', 'target-01', 'web-01', 9940] },
  { id: 'occupy-port', title: 'port taken', fault: ['occupy-port', 'app-01', 4040] },
  { id: 'stop-docker', title: 'engine stopped', fault: ['stop-docker', 'app-01'], restartsEngine: true },
  { id: 'kill-docker', title: 'engine killed mid-install', fault: ['kill-docker', 'db-01'], restartsEngine: true },
  { id: 'stop-ssh', title: 'sshd stopped', fault: ['stop-ssh', 'db-01'] },
  { id: 'rotate-key', title: 'host key rotated', fault: ['rotate-key', 'app-01'] },
  { id: 'prod', title: 'production markers', fault: ['prod', 'app-01'] },
  { id: 'slow-registry', title: 'slow registry, Ctrl-C', fault: ['slow-registry', 'app-01'] },
  { id: 'disk-full', title: 'full /opt', fault: ['disk-full', 'app-01', '/opt'] },
  { id: 'label', title: 'Docker engine label', fault: ['label', 'app-01', 'environment=live'], restartsEngine: true },
];

const before = (
  fault: string,
  command: MatrixCommand,
  rest: Omit<MatrixCell, 'fault' | 'command' | 'installed'>,
): MatrixCell => ({ fault, command, installed: false, ...rest });
const installed = (
  fault: string,
  command: MatrixCommand,
  rest: Omit<MatrixCell, 'fault' | 'command' | 'installed'>,
): MatrixCell => ({ fault, command, installed: true, ...rest });

export const CELLS: readonly MatrixCell[] = [
  // Nothing installed: preflight and install.
  before('drop-flow', 'preflight', {
    exit: 1,
    host: 'web-01',
    cause: /target-01 -> web-01:9940/,
    unchanged: 'all',
    shows: 'the flow `target-01 -> web-01:9940` filtered',
  }),
  before('drop-flow', 'install', {
    exit: 1,
    host: 'web-01',
    cause: /target-01 -> web-01:9940/,
    unchanged: 'all',
    shows: 'its preflight names the flow',
  }),
  before('occupy-port', 'preflight', {
    exit: 1,
    host: 'app-01',
    cause: /fail ports\.free: in use: 4040 by process busybox \(pid \d+\)/,
    unchanged: 'all',
    shows: '`ports.free` on app-01: 4040 in use by busybox (pid N)',
  }),
  before('occupy-port', 'install', {
    args: ['--ignore-check', 'ports.free'],
    exit: 1,
    host: 'app-01',
    cause: /port 4040 on app-01 is taken by \S+ \(pid \d+\)/,
    unchanged: 'all',
    shows: 'with `--ignore-check ports.free`: port 4040 on app-01 taken by PROCESS (pid N)',
  }),
  before('stop-docker', 'preflight', {
    exit: 1,
    host: 'app-01',
    cause: /Docker engine on app-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on app-01 is not running',
  }),
  before('stop-docker', 'install', {
    exit: 1,
    host: 'app-01',
    cause: /Docker engine on app-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on app-01 is not running',
  }),
  before('kill-docker', 'preflight', {
    exit: 1,
    host: 'db-01',
    cause: /Docker engine on db-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on db-01 is not running',
  }),
  before('kill-docker', 'install', {
    drive: 'mid-install',
    exit: 1,
    host: 'db-01',
    cause: /db-01/,
    unchanged: 'all',
    shows: 'killed once MinIO runs: names db-01',
  }),
  before('stop-ssh', 'preflight', {
    exit: 1,
    host: 'db-01',
    cause: /refused/,
    unchanged: 'all',
    shows: 'db-01 refuses SSH',
  }),
  before('stop-ssh', 'install', {
    exit: 1,
    host: 'db-01',
    cause: /refused/,
    unchanged: 'all',
    shows: 'db-01 refuses SSH',
  }),
  before('rotate-key', 'preflight', {
    exit: 1,
    host: 'app-01',
    cause: /host key of app-01/,
    unchanged: 'all',
    shows: 'host key of app-01 does not match',
  }),
  before('rotate-key', 'install', {
    exit: 1,
    host: 'app-01',
    cause: /host key of app-01/,
    unchanged: 'all',
    shows: 'host key of app-01 does not match',
  }),
  before('prod', 'preflight', {
    exit: 3,
    host: 'app-01',
    cause: /prod-app-01|HEAL_ENV/,
    unchanged: 'all',
    shows: 'refused by the guard: hostname prod-app-01',
  }),
  before('prod', 'install', {
    exit: 3,
    host: 'app-01',
    cause: /prod-app-01|HEAL_ENV/,
    unchanged: 'all',
    shows: 'refused by the guard',
  }),
  before('slow-registry', 'install', {
    drive: 'sigint',
    exit: 130,
    host: null,
    cause: /^error: interrupted \(Ctrl-C\) \(rolled back \d+ change/,
    unchanged: 'all',
    shows: 'Ctrl-C while app-01 pulls: interrupted, rolled back',
  }),
  before('disk-full', 'preflight', {
    exit: 1,
    host: 'app-01',
    cause: /fail resources\.disk: \d+ MiB free on \/opt, where the configuration is written/,
    unchanged: 'all',
    shows: '`resources.disk` on app-01: 0 MiB free on /opt, where the configuration is written',
  }),
  before('disk-full', 'install', {
    args: ['--ignore-check', 'resources.disk'],
    exit: 1,
    host: 'app-01',
    cause: /the filesystem \/opt is full/,
    unchanged: 'all',
    shows: 'with `--ignore-check resources.disk`: the filesystem /opt on app-01 is full',
  }),
  before('label', 'preflight', {
    exit: 3,
    host: 'app-01',
    cause: /Docker engine label environment=live/,
    unchanged: 'all',
    shows: 'refused by the guard: engine label environment=live',
  }),
  before('label', 'install', {
    exit: 3,
    host: 'app-01',
    cause: /Docker engine label environment=live/,
    unchanged: 'all',
    shows: 'refused by the guard',
  }),
  // A stack installed: status, then uninstall.
  installed('drop-flow', 'status', { exit: 0, host: 'web-01', cause: null, unchanged: 'all', shows: 'healthy' }),
  installed('stop-docker', 'status', {
    exit: 1,
    host: 'app-01',
    cause: /Docker engine on app-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on app-01 is not running',
  }),
  installed('kill-docker', 'status', {
    exit: 1,
    host: 'db-01',
    cause: /Docker engine on db-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on db-01 is not running',
  }),
  installed('stop-ssh', 'status', {
    exit: 1,
    host: 'db-01',
    cause: /refused/,
    unchanged: 'all',
    shows: 'db-01 refuses SSH',
  }),
  installed('rotate-key', 'status', {
    exit: 1,
    host: 'app-01',
    cause: /host key of app-01/,
    unchanged: 'all',
    shows: 'host key of app-01 does not match',
  }),
  installed('prod', 'status', { exit: 0, host: 'app-01', cause: null, unchanged: 'all', shows: 'healthy' }),
  installed('disk-full', 'status', { exit: 0, host: 'app-01', cause: null, unchanged: 'all', shows: 'healthy' }),
  installed('label', 'status', {
    exit: 1,
    host: 'app-01',
    cause: /drift: container missing/,
    unchanged: 'all',
    shows:
      'the lab labels an engine by restarting it without its containers: app-01 pyroscope, tempo, grafana `drift: container missing`',
  }),
  installed('stop-docker', 'uninstall', {
    exit: 1,
    host: 'app-01',
    cause: /Docker engine on app-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on app-01 is not running (nothing is removed from any host)',
  }),
  installed('kill-docker', 'uninstall', {
    exit: 1,
    host: 'db-01',
    cause: /Docker engine on db-01 is not running/,
    unchanged: 'all',
    shows: 'Docker engine on db-01 is not running (nothing is removed from any host)',
  }),
  installed('stop-ssh', 'uninstall', {
    exit: 1,
    host: 'db-01',
    cause: /refused/,
    unchanged: 'host',
    shows: 'db-01 refuses SSH',
  }),
  installed('rotate-key', 'uninstall', {
    exit: 1,
    host: 'app-01',
    cause: /host key of app-01/,
    unchanged: 'host',
    shows: 'host key of app-01 does not match',
  }),
  installed('prod', 'uninstall', { exit: 0, host: 'app-01', cause: null, unchanged: 'none', shows: 'removed' }),
  installed('disk-full', 'uninstall', { exit: 0, host: 'app-01', cause: null, unchanged: 'none', shows: 'removed' }),
  installed('label', 'uninstall', { exit: 0, host: 'app-01', cause: null, unchanged: 'none', shows: 'removed' }),
  installed('drop-flow', 'uninstall', { exit: 0, host: 'web-01', cause: null, unchanged: 'none', shows: 'removed' }),
];

/** Why a fault has no cell for a command, shown in docs/fault-matrix.md instead of a result. */
export const NOT_RUN: Readonly<Record<string, Partial<Record<MatrixCommand, string>>>> = {
  'occupy-port': { uninstall: 'the installed Pyroscope holds 4040', status: 'the installed Pyroscope holds 4040' },
  'slow-registry': {
    preflight: 'preflight pulls nothing',
    uninstall: 'uninstall pulls nothing',
    status: 'status pulls nothing',
  },
};

function cellText(cell: MatrixCell | undefined, why: string | undefined): string {
  if (!cell) return why ? `not run: ${why}` : '';
  const kept =
    cell.unchanged === 'all'
      ? 'nothing changed'
      : cell.unchanged === 'host'
        ? `${cell.host ?? '?'} unchanged, the others cleaned`
        : 'the stack removed';
  return `exit ${cell.exit}: ${cell.shows}; ${kept}`;
}

/** docs/fault-matrix.md's table: one row per fault, one column per command. */
export function faultMatrixTable(): string {
  const rows = FAULTS.map((f) => {
    const cells = MATRIX_COMMANDS.map((command) =>
      cellText(
        CELLS.find((c) => c.fault === f.id && c.command === command),
        NOT_RUN[f.id]?.[command],
      ),
    );
    return `| ${f.title}: \`${f.fault.join(' ')}\` | ${cells.join(' | ')} |`;
  });
  return [
    '| fault: `lab.sh fault ...` | preflight | install | uninstall (stack installed) | status (stack installed) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
