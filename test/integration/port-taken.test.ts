// A port taken when a container starts (here: held before the install, and the check that would
// have said so ignored) is reported as which port, on which host, held by what; and rolled back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();

describe.skipIf(skip)('a port taken at container start (lab)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    await fault('occupy-port', 'app-01', 4040);
  });
  afterAll(async () => {
    await resetLab();
  });

  it('names the port, the host and the process holding it, exit 1', async () => {
    const topo = labTopologyFile(lab);
    const r = await runCli(
      ['install', '--config', topo.path, '--yes', '--ignore-check', 'ports.free', '--wait', '30'],
      { cwd: topo.dir, env: { CI: 'true' } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error: port 4040 on app-01 is taken by \S+ \(pid \d+\), so heal-pyroscope-pyroscope cannot start/,
    );
    expect(r.stderr).not.toContain('unexpected failure');
  }, 120_000);
});
