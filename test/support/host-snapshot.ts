// What a refused or rolled-back run must leave as it found it, by listing: each server host's
// containers (ID, name, state), networks and volumes as its own engine reports them, and its /opt
// and install lock as its own mount namespace shows them. Two snapshots compare with toEqual.
// Images are left out (a pull a rollback undoes is tested where it matters: install.test.ts).
import { labExec } from '../lab/lab.js';

export const SERVERS = ['web-01', 'app-01', 'db-01'] as const;

const LISTINGS: Array<{ what: string; argv: string[]; sort: boolean }> = [
  {
    what: 'containers',
    argv: ['docker', 'ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}'],
    sort: true,
  },
  { what: 'networks', argv: ['docker', 'network', 'ls', '--format', '{{.Name}}'], sort: true },
  { what: 'volumes', argv: ['docker', 'volume', 'ls', '--format', '{{.Name}}'], sort: true },
  // Every entry under /opt with owner, mode and size (not the directories' own . and .. lines, whose times change).
  {
    what: '/opt',
    argv: ['sh', '-c', 'ls -laR /opt /run/heal-pyroscope.lock 2>&1 | grep -v "^total\\|\\.\\.\\?$" || true'],
    sort: false,
  },
];

/** One line per host and listing; an engine that does not answer is listed as such. */
export async function hostSnapshot(hosts: readonly string[] = SERVERS): Promise<string> {
  const lines = await Promise.all(
    hosts.flatMap((host) =>
      LISTINGS.map(async ({ what, argv, sort }) => {
        const r = await labExec(host, argv);
        const lines = r.stdout.trim().split('\n');
        const listed = r.exitCode === 0 ? (sort ? lines.sort() : lines).join(' | ') : `(no answer: exit ${r.exitCode})`;
        return `${host} ${what}: ${listed}`;
      }),
    ),
  );
  return lines.join('\n');
}

/** The names of the product's containers on a host (an engine that does not answer: null). */
export async function productContainers(host: string): Promise<string[] | null> {
  const r = await labExec(host, ['docker', 'ps', '-a', '--format', '{{.Names}}']);
  if (r.exitCode !== 0) return null;
  return r.stdout
    .split('\n')
    .filter((n) => n.startsWith('heal-pyroscope-'))
    .sort();
}
