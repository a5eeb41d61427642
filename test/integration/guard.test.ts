// The production guard against the lab (issue 23): every source it reads refuses install with exit 3
// and changes nothing on any host; look-alikes pass; a host whose evidence cannot be read is refused;
// the commands that read or remove warn with the same evidence and go on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLabSh } from '../lab/lab-sh.js';
import { fault, labExec, labSkipReason, requireLab, resetLab, type Lab } from '../lab/lab.js';
import { hostSnapshot } from '../support/host-snapshot.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli, type RunResult } from '../support/run-cli.js';

const skip = labSkipReason();

interface Refusal {
  ok: boolean;
  error: { code: string; message: string; details: string[] };
}

describe.skipIf(skip)('production guard (lab)', () => {
  let lab: Lab;
  let topo: { dir: string; path: string };
  const cli = (args: string[], path = topo.path): Promise<RunResult> =>
    runCli([...args, '--config', path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  /** Runs `install --json` and asserts a refusal (exit 3) whose details match, with every host as before. */
  async function refusesInstall(evidence: RegExp, path = topo.path): Promise<Refusal> {
    const before = await hostSnapshot();
    const r = await cli(['--json', 'install', '--wait', '30'], path);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(3);
    const doc = JSON.parse(r.stdout) as Refusal;
    expect(doc.error.code).toBe('guard.production');
    expect(doc.error.details.join('\n')).toMatch(evidence);
    expect(await hostSnapshot()).toEqual(before);
    return doc;
  }

  /** Writes `text` to a file inside a lab host (its own /etc), returning how to put it back. */
  async function hostFile(host: string, path: string, text: string): Promise<() => Promise<void>> {
    const old = await labExec(host, ['cat', path]);
    const write = (content: string) => labExec(host, ['sh', '-c', 'cat >"$1"', 'sh', path], { input: content });
    expect((await write(text)).exitCode).toBe(0);
    return async () => {
      if (old.exitCode === 0) await write(old.stdout);
      else await labExec(host, ['rm', '-f', path]);
    };
  }

  beforeAll(async () => {
    lab = requireLab();
    await resetLab();
    topo = labTopologyFile(lab);
  });
  afterAll(async () => {
    await resetLab();
  });

  it('refuses a variable in /etc/environment, quoted and commented, naming file, line and word', async () => {
    const undo = await hostFile('app-01', '/etc/environment', 'PATH="/usr/bin"\nSERVICE_STAGE="prod" # ops\n');
    try {
      const doc = await refusesInstall(/app-01: \/etc\/environment:2 SERVICE_STAGE=prod .*the word "prod"/);
      expect(doc.error.details).toHaveLength(1);
    } finally {
      await undo();
    }
  });

  it('refuses a variable in /etc/profile.d/*.sh', async () => {
    const undo = await hostFile(
      'db-01',
      '/etc/profile.d/zz-deploy.sh',
      '# set by ops\nexport DEPLOY_ENVIRONMENT=live\n',
    );
    try {
      await refusesInstall(/db-01: \/etc\/profile\.d\/zz-deploy\.sh:2 DEPLOY_ENVIRONMENT=live .*the word "live"/);
    } finally {
      await undo();
    }
  });

  it('refuses an engine label whose key names a tier', async () => {
    await fault('label', 'app-01', 'tier=production');
    try {
      await refusesInstall(/app-01: Docker engine label tier=production .*the word "production"/);
    } finally {
      const r = await runLabSh(['up']);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  });

  it('refuses a host name as the config writes it, before contacting any host', async () => {
    const { dir, path } = labTopologyFile(lab);
    writeFileSync(path, readFileSync(path, 'utf8').replace('name: web-01', 'name: web-prod-01'));
    await refusesInstall(/web-prod-01: config hosts\.web name web-prod-01/, path);
    // Refused before any host was contacted: no state was written beside the config.
    expect(existsSync(join(dir, '.heal-pyroscope'))).toBe(false);
  });

  it('refuses a declared production environment', async () => {
    const r = await cli(['--json', 'install', '--environment', 'Production']);
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Refusal).error.details.join('\n')).toMatch(/declared environment "Production"/);
  });

  it('refuses a host whose evidence cannot be read: a login shell that runs nothing', async () => {
    const { path } = labTopologyFile(lab);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        /user: root\n {2}identityFile: .*\n/,
        `user: hpnologin\n  identityFile: ${lab.keys.heal}\n`,
      ),
    );
    const doc = await refusesInstall(/could not read the probe, which stopped before its end \(exit status 1/, path);
    expect(doc.error.message).toMatch(/could not read everything on .*app-01/);
  });

  it('passes look-alikes in every source', async () => {
    const undoEnv = await hostFile('app-01', '/etc/environment', 'APP_ENV=preproduction\nDEPLOY_TARGET=product-demo\n');
    const undoProfile = await hostFile('db-01', '/etc/profile.d/zz-stage.sh', 'export STAGE=non-prod\n');
    const { path } = labTopologyFile(lab);
    writeFileSync(path, readFileSync(path, 'utf8').replace('name: web-01', 'name: olive-web'));
    try {
      const r = await cli(['--json', 'preflight'], path);
      const report = JSON.parse(r.stdout) as { guard: { ok: boolean; findings: unknown[] } };
      expect(report.guard).toEqual({ ok: true, findings: [] });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await undoEnv();
      await undoProfile();
    }
  });

  it('warns, with the same evidence, when status and uninstall meet a stack on a production host', async () => {
    const installed = await cli(['install', '--wait', '60']);
    expect(installed.code, installed.stderr).toBe(0);
    const undo = await hostFile('app-01', '/etc/environment', 'ENVIRONMENT=production\n');
    try {
      const status = await cli(['status']);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stderr).toMatch(
        /this stack reached what looks like production:\n.*app-01: \/etc\/environment:1 ENVIRONMENT=production/,
      );
      const uninstall = await cli(['uninstall']);
      expect(uninstall.code, uninstall.stderr).toBe(0);
      expect(uninstall.stderr).toContain('app-01: /etc/environment:1 ENVIRONMENT=production');
      const left = await labExec('app-01', ['docker', 'ps', '-aq', '--filter', 'name=heal-pyroscope']);
      expect(left.stdout.trim()).toBe('');
    } finally {
      await undo();
    }
  });
});
