import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { createOutput, loadColour } from '../../../src/console/output.js';
import { HealError } from '../../../src/core/errors.js';

function sink(): Writable & { text: string } {
  const s = new Writable({
    write(chunk, _e, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  s.text = '';
  return s;
}

describe('output', () => {
  it('keeps stdout one JSON document when an error follows a result', () => {
    const stdout = sink();
    const stderr = sink();
    const out = createOutput({ json: true, verbose: false, command: 'preflight' }, { stdout, stderr }, {});
    out.result({ ok: false, guard: { ok: false } });
    const code = out.fail(new HealError({ code: 'guard.production', message: 'refusing', exitCode: 3 }));
    expect(code).toBe(3);
    expect(JSON.parse(stdout.text)).toEqual({
      schemaVersion: 1,
      command: 'preflight',
      ok: false,
      guard: { ok: false },
    });
    expect(stderr.text).toContain('error: refusing');
  });

  it('prints the error as the JSON document when nothing else was', () => {
    const stdout = sink();
    const out = createOutput({ json: true, verbose: false, command: 'status' }, { stdout, stderr: sink() }, {});
    out.fail(new HealError({ code: 'x.y', message: 'broken', hint: 'fix it' }));
    expect(JSON.parse(stdout.text)).toEqual({
      schemaVersion: 1,
      command: 'status',
      ok: false,
      error: { code: 'x.y', message: 'broken', details: [], hint: 'fix it' },
    });
  });

  it('wraps every result in the envelope: schemaVersion, the command it was created for, ok', () => {
    const stdout = sink();
    createOutput({ json: true, verbose: false, command: 'images save' }, { stdout, stderr: sink() }, {}).result({
      ok: true,
      path: '/tmp/i.tar',
    });
    expect(stdout.text).toBe(
      `${JSON.stringify({ schemaVersion: 1, command: 'images save', ok: true, path: '/tmp/i.tar' }, null, 2)}\n`,
    );
  });

  it('names no command when it was created without one', () => {
    const stdout = sink();
    createOutput({ json: true, verbose: false }, { stdout, stderr: sink() }, {}).fail(
      new HealError({ code: 'usage.x', message: 'bad' }),
    );
    expect(JSON.parse(stdout.text)).toMatchObject({ schemaVersion: 1, command: null, ok: false });
  });

  it('prints only the document for an error already told on stderr', () => {
    const [stdout, stderr] = [sink(), sink()];
    const code = createOutput({ json: true, verbose: false }, { stdout, stderr }, {}).fail(
      new HealError({ code: 'usage.x', message: 'bad', exitCode: 2 }),
      { humanTold: true },
    );
    expect(code).toBe(2);
    expect(stderr.text).toBe('');
    expect(JSON.parse(stdout.text)).toMatchObject({ error: { code: 'usage.x', message: 'bad' } });
  });

  it('sends human lines to stderr with --json and to stdout without', () => {
    const a = { stdout: sink(), stderr: sink() };
    createOutput({ json: true, verbose: false }, a, {}).say('hello');
    expect([a.stdout.text, a.stderr.text]).toEqual(['', 'hello\n']);
    const b = { stdout: sink(), stderr: sink() };
    createOutput({ json: false, verbose: false }, b, {}).say('hello');
    expect([b.stdout.text, b.stderr.text]).toEqual(['hello\n', '']);
  });
});

describe('a line stream (logs --json)', () => {
  it('prints each record as one enveloped document on its own line, then an error document on one line', () => {
    const stdout = sink();
    const out = createOutput(
      { json: true, verbose: false, command: 'logs', lines: true },
      { stdout, stderr: sink() },
      {},
    );
    out.record({ ok: true, component: 'pyroscope', line: 'one' });
    out.record({ ok: true, component: 'pyroscope', line: 'two' });
    out.fail(new HealError({ code: 'logs.not-installed', message: 'gone' }));
    const lines = stdout.text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as unknown)).toEqual([
      { schemaVersion: 1, command: 'logs', ok: true, component: 'pyroscope', line: 'one' },
      { schemaVersion: 1, command: 'logs', ok: true, component: 'pyroscope', line: 'two' },
      {
        schemaVersion: 1,
        command: 'logs',
        ok: false,
        error: { code: 'logs.not-installed', message: 'gone', details: [], hint: null },
      },
    ]);
  });

  it('prints no record without --json', () => {
    const stdout = sink();
    createOutput({ json: false, verbose: false, command: 'logs', lines: true }, { stdout, stderr: sink() }, {}).record({
      ok: true,
      line: 'x',
    });
    expect(stdout.text).toBe('');
  });
});

describe('errors under --verbose', () => {
  it('does not advise running with --verbose when it already runs with it', () => {
    let err = '';
    const sink = { write: (t: string) => ((err += t), true), isTTY: false } as unknown as NodeJS.WritableStream;
    const out = createOutput({ json: false, verbose: true }, { stdout: sink, stderr: sink }, {});
    out.fail(new Error('boom'));
    expect(err).toContain('unexpected failure: boom');
    expect(err).not.toMatch(/hint:.*--verbose/);
    expect(err).toContain('hint: report it with the output above');
  });
});

describe('colours', () => {
  const terminal = () => Object.assign(sink(), { isTTY: true });

  it('prints what chalk prints at level 0 off a terminal or with NO_COLOR, through chains and detached styles', () => {
    const level0 = new Chalk({ level: 0 });
    for (const [streams, env] of [
      [{ stdout: sink(), stderr: sink() }, {}],
      [{ stdout: terminal(), stderr: terminal() }, { NO_COLOR: '1' }],
    ] as const) {
      const { color } = createOutput({ json: false, verbose: false }, streams, env);
      const paint = color.cyan;
      expect(color.level).toBe(0);
      expect([color.red('a'), color.bold.red('b'), color.dim('c', 'd'), paint('e'), color.yellow(42)]).toEqual([
        level0.red('a'),
        level0.bold.red('b'),
        level0.dim('c', 'd'),
        level0.cyan('e'),
        level0.yellow(42),
      ]);
    }
  });

  it('colours a terminal once loadColour has loaded chalk, and says so when a command forgot to', async () => {
    const early = createOutput({ json: false, verbose: false }, { stdout: terminal(), stderr: sink() }, {});
    expect(() => early.color.red('x')).toThrow('colour output before loadColour()');
    await loadColour({}, [terminal()]);
    const stderr = terminal();
    const out = createOutput({ json: false, verbose: false }, { stdout: terminal(), stderr }, {});
    expect(out.color.red('x')).toBe(new Chalk({ level: 1 }).red('x'));
    out.warn('careful');
    expect(stderr.text).toBe(`${new Chalk({ level: 1 }).yellow('warning:')} careful\n`);
  });
});
