// Every command that runs phases fails the same way with --json: `ok: false` and one
// `error: { code, message, details, hint }`, whether its document is a result (install, backup,
// status, ...) or an error document (verify, logs). Each command is run in-process to a failure
// that needs no lab: every host sits behind a jump host on a closed loopback port, so no address
// but 127.0.0.1 is ever contacted and every connection is refused at once.
import { execa } from 'execa';
import { createReadStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackupWriter } from '../../../src/backup/write.js';
import { contractDocument, type JsonDocument } from '../../support/json-contract.js';
import { runCli } from '../../support/run-cli.js';
import { closedPort } from '../../support/closed-port.js';

/** A config whose every host (never contacted itself) is reached through a jump host that refuses. */
function configDir(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'hp-failure-'));
  writeFileSync(join(dir, 'id'), utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  writeFileSync(
    join(dir, 'heal-pyroscope.yaml'),
    [
      'environment: staging',
      'ssh:',
      '  user: root',
      '  identityFile: id',
      '  knownHostsFile: known_hosts',
      `  jumpHost: root@127.0.0.1:${port}`,
      'hosts:',
      '  targets: [10.213.0.250]',
      '  web: 10.213.0.251',
      '  app: 10.213.0.252',
      '  db: 10.213.0.253',
      '',
    ].join('\n'),
  );
  return dir;
}

/** A valid backup archive, so that restore gets as far as connecting. */
async function backupArchive(dir: string): Promise<string> {
  const volume = async (top: string) => {
    mkdirSync(join(dir, 'src', top), { recursive: true });
    writeFileSync(join(dir, 'src', top, 'marker'), `${top}\n`);
    await execa('tar', ['-cf', join(dir, `${top}.tar`), '-C', join(dir, 'src'), top]);
    return createReadStream(join(dir, `${top}.tar`));
  };
  const path = join(dir, 'backup.tar');
  const writer = await BackupWriter.open(path);
  const secrets = {
    minioAccessKey: 'heal-a',
    minioSecretKey: 'secret-s',
    grafanaAdminUser: 'admin',
    grafanaAdminPassword: 'pw-p',
  };
  await writer.addState(Buffer.from(JSON.stringify({ version: 1, environment: 'staging', secrets })));
  await writer.addVolume('minio', await volume('data'));
  await writer.addVolume('grafana', await volume('grafana'));
  await writer.finish(
    {
      format: 'heal-pyroscope-backup/1',
      toolVersion: '0.1.0',
      createdAt: '2026-11-25T00:00:00.000Z',
      environment: 'staging',
      topology: { web: '10.213.0.251', app: '10.213.0.252', db: '10.213.0.253', targets: ['10.213.0.250'] },
      images: {},
      volumes: [
        {
          component: 'minio',
          machine: '10.213.0.253',
          volume: 'heal-pyroscope-minio-data',
          path: '/data',
          image: 'm',
          pausedMs: 0,
        },
        {
          component: 'grafana',
          machine: '10.213.0.252',
          volume: 'heal-pyroscope-grafana-data',
          path: '/var/lib/grafana',
          image: 'g',
          pausedMs: 0,
        },
      ],
    },
    false,
  );
  return path;
}

/** Each command, the document it fails with (a result of its own, or an error document) and its error code. */
const CASES = [
  { command: 'install', args: ['install', '--json'], code: 'ssh.connect', result: true },
  { command: 'uninstall', args: ['uninstall', '--json'], code: 'uninstall.unreachable', result: true },
  { command: 'status', args: ['status', '--json'], code: 'status.unhealthy', result: true },
  { command: 'verify', args: ['verify', '--json'], code: 'verify.unreachable', result: false },
  { command: 'preflight', args: ['preflight', '--json'], code: 'preflight.failed', result: true },
  { command: 'logs', args: ['logs', '--json'], code: 'logs.unreachable', result: false },
  { command: 'backup', args: ['backup', '--json', 'new.tar'], code: 'ssh.connect', result: true },
  { command: 'restore', args: ['restore', '--json', 'backup.tar'], code: 'ssh.connect', result: true },
] as const;

describe('a failed command with --json', () => {
  const failures = new Map<string, { code: number; doc: JsonDocument; stderr: string }>();

  beforeAll(async () => {
    const dir = configDir(await closedPort());
    await backupArchive(dir);
    for (const c of CASES) {
      const r = await runCli([...c.args], { cwd: dir });
      failures.set(c.command, { code: r.code, doc: contractDocument(r.stdout), stderr: r.stderr });
    }
  }, 60_000);

  for (const c of CASES) {
    it(`${c.command}: ok false, exit 1, the error ${c.code}${c.result ? ' in its own document' : ' in an error document'}`, () => {
      const failed = failures.get(c.command);
      expect(failed?.code).toBe(1);
      expect(failed?.doc).toMatchObject({ command: c.command, ok: false, error: { code: c.code } });
      // A result document keeps its own fields beside the error; an error document has none.
      expect(Object.keys(failed?.doc ?? {}).length > 4).toBe(c.result);
    });
  }

  it('carries the same error object in every command, as a usage error does: code, message, details, hint', async () => {
    const usage = contractDocument((await runCli(['install', '--json', '--bogus'])).stdout).error;
    const errors = [...CASES.map((c) => failures.get(c.command)?.doc.error), usage];
    for (const error of errors) {
      expect(Object.keys(error ?? {}).sort()).toEqual(['code', 'details', 'hint', 'message']);
      expect(error).toEqual({
        code: expect.any(String),
        message: expect.any(String),
        details: expect.any(Array),
        hint: error?.hint === null ? null : expect.any(String),
      });
    }
  });

  it('tells the same error on stderr, unless the command told it in its own words', () => {
    for (const c of CASES) {
      const failed = failures.get(c.command);
      const error = failed?.doc.error;
      if (!error) throw new Error(`${c.command}: no error`);
      const told = ['uninstall', 'status', 'preflight'].includes(c.command);
      if (told) expect(failed?.stderr, c.command).not.toContain(`error: ${error.message}`);
      else
        expect(failed?.stderr, c.command).toContain(
          `error: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join('')}hint: ${error.hint}`,
        );
    }
  });
});
