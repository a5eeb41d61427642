// Vitest global setup. Starting the lab is lazy (requireLab() in integration suites), so unit-only
// runs never touch it and need no root. This only names the run, and at the end takes the lab
// down if, and only if, this run brought it up: a developer's running lab survives.
import type { TestProject } from 'vitest/node';
import { LAB_JSON, labIsUp, readLabJson, runLabSh } from './lab-sh.js';

export default function setup(project: TestProject): () => Promise<void> {
  const runId = `vitest-${process.pid}-${Date.now()}`;
  project.provide('labRunId', runId);
  process.env.HPLAB_RUN_ID = runId;
  return async () => {
    if (!labIsUp() || readLabJson<{ startedBy?: string }>().startedBy !== runId) return;
    console.log(`[lab] taking down the lab this run started (${LAB_JSON})`);
    const result = await runLabSh(['down']);
    if (result.exitCode !== 0) console.error(`[lab] lab.sh down failed:\n${result.stderr}`);
  };
}
