// The lifecycle every phase-running command goes through (src/console/lifecycle.ts), with phases of
// the test's own: what ends up in the --json document, on stderr and in the exit code, and in which
// order the command's own steps run. No host is contacted: the phases touch none.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, HealError } from '../../../src/core/errors.js';
import { runPhaseCommand, type PhaseRun, type Refused, type Settings } from '../../../src/console/lifecycle.js';
import { createOutput } from '../../../src/console/output.js';
import type { GatherContext } from '../../../src/console/gather.js';
import type { Phase } from '../../../src/runner/phase.js';
import { contractDocument } from '../../support/json-contract.js';

function sink(): Writable & { text: string; isTTY: boolean } {
  const stream = new Writable({
    write(chunk, _e, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY: boolean };
  stream.text = '';
  stream.isTTY = false;
  return stream;
}

/** A staging config the settings are gathered from; the phases below never connect. */
function context(): { ctx: GatherContext; stdout: ReturnType<typeof sink>; stderr: ReturnType<typeof sink> } {
  const cwd = mkdtempSync(join(tmpdir(), 'hp-lifecycle-'));
  writeFileSync(
    join(cwd, 'heal-pyroscope.yaml'),
    [
      'environment: staging',
      'hosts:',
      '  targets: [t1]',
      '  web: w1',
      '  app: a1',
      '  db: d1',
      'ssh:',
      '  user: root',
      '  agent: true',
      '',
    ].join('\n'),
  );
  const stdout = sink();
  const stderr = sink();
  const out = createOutput({ json: true, verbose: false, command: 'backup' }, { stdout, stderr }, {});
  return { ctx: { cwd, env: { CI: 'true' }, interactive: false, out }, stdout, stderr };
}

/** backup's document: the fields it shows on success, so the schema can judge each outcome. */
const backupFields = {
  environment: 'staging',
  file: '/x.tar',
  mode: '0600',
  bytes: null,
  seconds: 0,
  volumes: [],
  members: [],
  error: null,
};

function run(
  prepare: (settings: Settings) => Promise<PhaseRun<object, typeof backupFields> | Refused<typeof backupFields>>,
  signal?: AbortSignal,
) {
  const { ctx, stdout, stderr } = context();
  return runPhaseCommand({}, ctx, prepare, signal ? { signal } : {}).then((code) => ({
    code,
    stdout: stdout.text,
    stderr: stderr.text,
  }));
}

const phase = (id: string, body: Phase<object>['run']): Phase<object> => ({ id, title: id, run: body });

describe('the lifecycle of a command that runs phases', () => {
  it('puts a run Ctrl-C stopped in the document as interrupted, rolls it back and says how much it undid', async () => {
    const stop = new AbortController();
    const r = await run(
      async () => ({
        phases: [
          phase('change', async (_ctx, io) => {
            io.journal.changed('put it back', async () => undefined);
            stop.abort();
          }),
        ],
        context: {},
        progress: false,
        finish: () => ({ document: backupFields }),
      }),
      stop.signal,
    );
    expect(r.code).toBe(ExitCode.interrupted);
    expect(contractDocument(r.stdout)).toMatchObject({
      ok: false,
      error: { code: 'interrupted', message: 'interrupted (Ctrl-C)' },
    });
    expect(r.stderr).toContain('error: interrupted (Ctrl-C) (rolled back 1 change(s))');
  });

  it('writes a failure the command told in its own words into the document, and prints it no more', async () => {
    const r = await run(async ({ topology }) => ({
      phases: [phase('read', async () => 'read')],
      context: {},
      interrupt: 'none',
      progress: false,
      finish: () => ({
        document: { ...backupFields, environment: topology.environment },
        failure: new HealError({ code: 'status.unhealthy', message: 'told above' }),
        told: true,
        say: () => undefined,
      }),
    }));
    expect(r.code).toBe(ExitCode.failed);
    expect(contractDocument(r.stdout)).toMatchObject({
      ok: false,
      environment: 'staging',
      error: { code: 'status.unhealthy', message: 'told above', details: [], hint: null },
    });
    expect(r.stderr).not.toContain('error: told above');
  });

  it('ends an error before any phase runs as an error document', async () => {
    const r = await run(async () => {
      throw new HealError({
        code: 'backup.exists',
        message: '/x.tar exists',
        hint: 'add --force',
        exitCode: ExitCode.usage,
      });
    });
    expect(r.code).toBe(ExitCode.usage);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      command: 'backup',
      ok: false,
      error: { code: 'backup.exists', message: '/x.tar exists', details: [], hint: 'add --force' },
    });
    expect(r.stderr).toBe('error: /x.tar exists\nhint: add --force\n');
  });

  it('sets ok and error: null on success; finishes, releases, then prints the command lines', async () => {
    const steps: string[] = [];
    const r = await run(async () => ({
      phases: [phase('write', async () => void steps.push('run'))],
      context: {},
      progress: false,
      finish: () => (steps.push('finish'), { document: backupFields, say: () => void steps.push('say') }),
      release: async () => void steps.push('release'),
    }));
    expect(r.code).toBe(ExitCode.ok);
    expect(contractDocument(r.stdout)).toMatchObject({ ok: true, error: null });
    expect(steps).toEqual(['run', 'finish', 'release', 'say']);
  });

  it('releases even when finishing fails, and the failure is an error document', async () => {
    const steps: string[] = [];
    const r = await run(async () => ({
      phases: [phase('write', async () => undefined)],
      context: {},
      progress: false,
      finish: () => {
        throw new HealError({ code: 'backup.write', message: 'disk full' });
      },
      release: async () => void steps.push('release'),
    }));
    expect(r.code).toBe(ExitCode.failed);
    expect(contractDocument(r.stdout)).toMatchObject({ ok: false, error: { code: 'backup.write' } });
    expect(steps).toEqual(['release']);
  });
});
