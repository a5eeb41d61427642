// `open grafana` against the lab: a real process listens on loopback, carries the request through
// app-01's SSH session to Grafana, and closes on Ctrl-C (exit 130).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';
import { httpStatus, openGrafana } from '../support/open-grafana.js';

const skip = labSkipReason();

describe.skipIf(skip !== undefined)('open (lab)', () => {
  let topo: { dir: string; path: string };
  beforeAll(async () => {
    await resetLab();
    topo = labTopologyFile(requireLab());
    const r = await runCli(['install', '--config', topo.path, '--yes', '--wait', '60'], {
      cwd: topo.dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await resetLab();
  });

  it("forwards a local port to Grafana through app-01's SSH session until Ctrl-C", async () => {
    const run = await openGrafana(topo);
    expect(run.output).toMatch(/Grafana: http:\/\/127\.0\.0\.1:\d+ +\(\S+:3000 through app-01's SSH session\)/);
    expect(run.health).toBe(200);
    expect(run.code, run.output).toBe(130);
    await expect(httpStatus(`${run.url}/api/health`)).rejects.toThrow(/ECONNREFUSED/);
  }, 90_000);
});
