// A heal-pyroscope.yaml for the lab's hosts, written to a fresh temp dir per test file, so
// integration tests (and the bench) run the CLI exactly as an operator would, with the lab's key
// and known_hosts. One writer for every suite: the targets are a list of lab host names.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the topology needs of a lab (test/lab/lab.ts's Lab, or the bench's reading of lab.json). */
export interface LabLike {
  keys: { root: string };
  knownHosts: string;
  hosts: { name: string; address: string }[];
}

/** The YAML text: `targets` (host names) as the targets, web-01, app-01 and db-01, then `extra`. */
export function labTopologyText(lab: LabLike, targets: readonly string[] = ['target-01'], extra = ''): string {
  const host = (name: string) => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`lab has no ${name}`);
    return `{ host: ${h.address}, name: ${h.name} }`;
  };
  return `environment: lab
ssh:
  user: root
  identityFile: ${lab.keys.root}
  agent: false
  knownHostsFile: ${lab.knownHosts}
hosts:
  targets:
${targets.map((t) => `    - ${host(t)}`).join('\n')}
  web: ${host('web-01')}
  app: ${host('app-01')}
  db: ${host('db-01')}
${extra}`;
}

/** The same, written as heal-pyroscope.yaml in a fresh temp dir. */
export function labTopologyFile(
  lab: LabLike,
  extra = '',
  targets: readonly string[] = ['target-01'],
): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-topology-'));
  const path = join(dir, 'heal-pyroscope.yaml');
  writeFileSync(path, labTopologyText(lab, targets, extra));
  return { dir, path };
}

/** Rewrites the topology at `path` to connect as `user` with `key` (the lab's non-root users accept heal's key). */
export function connectAs(path: string, user: string, key: string): string {
  writeFileSync(
    path,
    readFileSync(path, 'utf8').replace(/user: root\n {2}identityFile: .*\n/, `user: ${user}\n  identityFile: ${key}\n`),
  );
  return path;
}
