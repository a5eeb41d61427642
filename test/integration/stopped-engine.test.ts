// Every command that reaches hosts ends, with exit 1 and one line naming the cause and the host,
// when a host's Docker engine is down: the runner closes every SSH session on every path.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { openSessionCount } from '../../src/remote/index.js';

const skip = labSkipReason();
const CAUSE = 'Docker engine on app-01 is not running';

describe.skipIf(skip)('a stopped engine (lab)', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };

  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    topo = labTopologyFile(lab);
    await fault('stop-docker', 'app-01');
  });
  afterAll(async () => {
    await resetLab();
  });

  for (const command of [['status'], ['preflight'], ['install', '--wait', '20'], ['uninstall']]) {
    it(`${command[0]} exits 1 naming the cause, with every SSH session closed`, async () => {
      const started = Date.now();
      const r = await runCli([...command, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });
      expect(r.code, r.stderr).toBe(1);
      expect(`${r.stdout}\n${r.stderr}`).toContain(CAUSE);
      expect(openSessionCount()).toBe(0);
      // Bounded by the command itself, not by the test's timeout.
      expect(Date.now() - started).toBeLessThan(30_000);
    }, 60_000);
  }

  it('status still reports the components of the hosts whose engine runs', async () => {
    const r = await runCli(['--json', 'status', '--config', topo.path, '--yes'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    const doc = JSON.parse(r.stdout) as { ok: boolean; components: Array<{ component: string; drift: string[] }> };
    expect(doc.ok).toBe(false);
    expect(doc.components.find((c) => c.component === 'tempo')?.drift.join(' ')).toContain(CAUSE);
    expect(doc.components.map((c) => c.component).sort()).toEqual([
      'grafana',
      'haproxy',
      'minio',
      'pyroscope',
      'tempo',
    ]);
  });
});
