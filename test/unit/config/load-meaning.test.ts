import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfig } from '../../../src/config/load.js';

const hosts = (targets: string) =>
  `environment: staging\nhosts:\n  targets: ${targets}\n  web: box\n  app: box\n  db: box\n`;

describe('config problems the schema cannot see', () => {
  it('reports a target given twice with its key path and line', () => {
    const parsed = parseConfig('environment: staging\nhosts:\n  targets:\n    - t1\n    - svc-02\n    - T1\n');
    expect(parsed.problems.map(formatProblem)).toEqual([
      'hosts.targets[2]: T1 is already hosts.targets[0] (one machine is one target) (line 6)',
    ]);
  });

  it('accepts web, app and db on one machine, and a target that is one of them', () => {
    expect(parseConfig(hosts('[box, t1]')).problems).toEqual([]);
  });

  it('accepts one address twice on different SSH ports', () => {
    expect(parseConfig(hosts('[t1, { host: t1, port: 2222 }]')).problems).toEqual([]);
  });

  it('refuses a directory as an identity file, naming the key, the path and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-load-'));
    mkdirSync(join(dir, 'keys'));
    const parsed = parseConfig(
      'environment: staging\nssh:\n  identityFile: keys\nhosts:\n  web: { host: w1, identityFile: keys }\n',
      { dir },
    );
    expect(parsed.problems.map(formatProblem)).toEqual([
      `ssh.identityFile: identity file ${join(dir, 'keys')} is a directory, not a private key (line 3)`,
      `hosts.web.identityFile: identity file ${join(dir, 'keys')} is a directory, not a private key (line 5)`,
    ]);
  });
});
