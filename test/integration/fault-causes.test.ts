// Lab faults that must be reported as what they are (issue 14, points 3 to 5): a production marker
// only in an engine label or only in /etc/hostname is refused (exit 3, nothing changed).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fault, labExec, labSkipReason, requireLab, resetLab } from '../lab/lab.js';
import { labTopologyFile } from '../support/lab-topology.js';
import { runCli } from '../support/run-cli.js';

const skip = labSkipReason();
const SERVERS = ['web-01', 'app-01', 'db-01'];

/** Each server's containers, networks, volumes and /opt: what a refused run must not touch. */
async function hostState(): Promise<string> {
  const parts: string[] = [];
  for (const host of SERVERS) {
    for (const argv of [
      ['docker', 'ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}}'],
      ['docker', 'network', 'ls', '--format', '{{.Name}}'],
      ['docker', 'volume', 'ls', '--format', '{{.Name}}'],
      ['sh', '-c', 'ls -laR /opt /run/heal-pyroscope.lock 2>&1 | grep -v "^total\\|\\.\\.\\?$" || true'],
    ]) {
      parts.push(`${host} ${argv.join(' ')}: ${(await labExec(host, argv)).stdout.trim()}`);
    }
  }
  return parts.join('\n');
}

describe.skipIf(skip)('faults reported as what they are (lab)', () => {
  let topo: { dir: string; path: string };
  const cli = (args: string[]) => runCli([...args, '--config', topo.path, '--yes'], { cwd: topo.dir, env: { CI: 'true' } });

  beforeAll(async () => {
    topo = labTopologyFile(requireLab());
    await resetLab();
  });
  afterEach(async () => {
    await resetLab();
  });
  afterAll(async () => {
    await resetLab();
  });

  it('refuses an engine labelled environment=live (exit 3) and changes nothing', async () => {
    await fault('label', 'app-01', 'environment=live');
    const before = await hostState();
    const r = await cli(['preflight']);
    expect(r.code, r.stderr).toBe(3);
    expect(`${r.stdout}\n${r.stderr}`).toContain('app-01: Docker engine label environment=live');
    expect(await hostState()).toEqual(before);
  }, 60_000);

  it('refuses a host whose /etc/hostname alone says production (exit 3) and changes nothing', async () => {
    await labExec('db-01', ['sh', '-c', 'echo prod-db-01 > /etc/hostname']);
    expect((await labExec('db-01', ['hostname'])).stdout.trim()).toBe('db-01');
    const before = await hostState();
    const r = await cli(['preflight']);
    expect(r.code, r.stderr).toBe(3);
    expect(`${r.stdout}\n${r.stderr}`).toContain('db-01: /etc/hostname prod-db-01');
    expect(await hostState()).toEqual(before);
  }, 60_000);
});
