// A heal-pyroscope.yaml for the lab's four hosts, written to a fresh temp dir per test file, so
// integration tests run the CLI exactly as an operator would, with the lab's key and known_hosts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';

export function labTopologyFile(lab: Lab, extra = ''): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-topology-'));
  const host = (name: string) => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`lab has no ${name}`);
    return `{ host: ${h.address}, name: ${h.name} }`;
  };
  const text = `environment: lab
ssh:
  user: root
  identityFile: ${lab.keys.root}
  agent: false
  knownHostsFile: ${lab.knownHosts}
hosts:
  targets:
    - ${host('target-01')}
  web: ${host('web-01')}
  app: ${host('app-01')}
  db: ${host('db-01')}
${extra}`;
  const path = join(dir, 'heal-pyroscope.yaml');
  writeFileSync(path, text);
  return { dir, path };
}
