// No flag skips the production guard: install and restore run with every option they have (a new
// option fails this test until it has a sample value below), and still refuse with exit 3 a
// production environment or a production host name as written. Every host sits behind a jump host
// on a closed loopback port, so a guard that let the run through would fail to connect (exit 1):
// nothing but 127.0.0.1 could ever be contacted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { utils } from 'ssh2';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { buildProgram, fullCommand, loadTopology } from '../../../src/cli/program.js';
import { runCli } from '../../support/run-cli.js';
import { closedPort } from '../../support/closed-port.js';

/** Every long option of a command, as the program parses it (its own, the settings', the global ones). */
async function optionsOf(name: string): Promise<Array<{ long: string; takesValue: boolean }>> {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const program = buildProgram(COMMANDS, { stdout: sink, stderr: sink }, async () => {});
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`no command ${name}`);
  fullCommand(command, await loadTopology());
  return [...program.options, ...command.options]
    .filter((o) => o.long !== undefined && o.long !== '--version')
    .map((o) => ({ long: o.long ?? '', takesValue: o.required || o.optional }));
}

describe('no option skips the production guard', () => {
  let dir: string;
  let sample: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hp-no-bypass-'));
    writeFileSync(join(dir, 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    writeFileSync(join(dir, 'known_hosts'), '');
    writeFileSync(join(dir, 'ssh_config'), '');
    writeFileSync(join(dir, 'images.tar'), '');
    writeFileSync(join(dir, 'backup.tar'), '');
    writeFileSync(
      join(dir, 'heal-pyroscope.yaml'),
      'environment: staging\nssh: { user: root }\nhosts:\n  targets: [10.213.0.250]\n  web: 10.213.0.251\n' +
        '  app: 10.213.0.252\n  db: 10.213.0.253\n',
    );
    sample = {
      '--ignore-check': 'clock.skew',
      '--front-door': 'container',
      '--wait': '5',
      '--images-from': join(dir, 'images.tar'),
      '--config': join(dir, 'heal-pyroscope.yaml'),
      '--environment': 'staging',
      '--target': '10.213.0.250',
      '--web': '10.213.0.251',
      '--app': '10.213.0.252',
      '--db': '10.213.0.253',
      '--ssh-user': 'root',
      '--ssh-port': '2222',
      '--identity-file': join(dir, 'id'),
      '--known-hosts': join(dir, 'known_hosts'),
      '--ssh-config': join(dir, 'ssh_config'),
      '--jump-host': `root@127.0.0.1:${await closedPort()}`,
      '--registry-prefix': 'registry.lab:5000/mirror',
      '--image': 'pyroscope=grafana/pyroscope:1.14.0',
      '--grafana-port': '3001',
      '--concurrency': '2',
      '--connect-timeout': '2',
    };
  });

  /** The command line with every option: a flag as is, an option with a value with its sample. */
  async function everything(command: string, over: Record<string, string>): Promise<string[]> {
    const argv: string[] = command === 'restore' ? ['restore', join(dir, 'backup.tar')] : [command];
    for (const { long, takesValue } of await optionsOf(command)) {
      if (!takesValue) {
        argv.push(long);
        continue;
      }
      const value = over[long] ?? sample[long];
      expect(value, `${command} ${long}: give it a sample value in this test`).toBeDefined();
      argv.push(long, value ?? '');
    }
    return argv;
  }

  for (const command of ['install', 'restore']) {
    it.each([
      ['a production environment', { '--environment': 'production' }, /declared environment "production"/],
      ['a production web host name', { '--web': 'prod-web-01' }, /config hosts\.web (name|host) prod-web-01/],
    ])(`${command} with every option it has still refuses %s (exit 3)`, async (_what, over, evidence) => {
      const argv = await everything(command, over);
      expect(argv).toEqual(expect.arrayContaining(['--yes', '--json', '--force-unlock', '--ignore-check']));
      const r = await runCli(argv, { cwd: dir });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(3);
      const doc = JSON.parse(r.stdout) as { error: { code: string; details: string[] } };
      expect(doc.error.code).toBe('guard.production');
      expect(doc.error.details.join('\n')).toMatch(evidence);
    });
  }
});
