import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../src/remote/exec.js';
import { classifyChannelFailure, probeTcp } from '../../../src/remote/port-probe.js';

const failure = (description: string, reason = 2) =>
  Object.assign(new Error(`(SSH) Channel open failure: ${description}`), { reason });
const noCommand = async (): Promise<ExecResult> => {
  throw new Error('no remote command expected');
};

describe('classifyChannelFailure', () => {
  it("reads sshd's strerror text", () => {
    expect(classifyChannelFailure(failure('Connection refused'))).toBe('refused');
    expect(classifyChannelFailure(failure('No route to host'))).toBe('unreachable');
    expect(classifyChannelFailure(failure('Name or service not known'))).toBe('unresolved');
    expect(classifyChannelFailure(failure('Connection timed out'))).toBe('timeout');
  });

  it('recognises forwarding switched off (reason 1)', () => {
    expect(classifyChannelFailure(failure('open failed', 1))).toBe('prohibited');
  });
});

describe('probeTcp', () => {
  it('reports open and closes the probe channel', async () => {
    let closed = false;
    const result = await probeTcp(async () => ({ close: () => (closed = true) }), noCommand, '10.213.0.12', 4040, 1000);
    expect(result).toMatchObject({ state: 'open', via: 'forward' });
    expect(closed).toBe(true);
  });

  it('reports refused', async () => {
    const result = await probeTcp(
      () => Promise.reject(failure('Connection refused')),
      noCommand,
      '10.213.0.12',
      4040,
      1000,
    );
    expect(result.state).toBe('refused');
  });

  it('reports a timeout when sshd is still trying (a filtered port)', async () => {
    const result = await probeTcp(() => new Promise(() => undefined), noCommand, '10.213.0.12', 4040, 50);
    expect(result).toMatchObject({ state: 'timeout', via: 'forward' });
  });

  it('falls back to a remote command when sshd forbids TCP forwarding', async () => {
    const calls: string[][] = [];
    const run = async (argv: readonly string[]): Promise<ExecResult> => (
      calls.push([...argv]),
      { code: 0, stdout: '', stderr: '' }
    );
    const result = await probeTcp(() => Promise.reject(failure('open failed', 1)), run, '10.213.0.12', 4040, 2000);
    expect(result).toMatchObject({ state: 'open', via: 'command' });
    expect(calls[0]?.slice(-3)).toEqual(['10.213.0.12', '4040', '2']);
  });

  it('says so when the fallback has no tool to test with', async () => {
    const run = async (): Promise<ExecResult> => ({ code: 3, stdout: '', stderr: '' });
    const result = await probeTcp(() => Promise.reject(failure('open failed', 1)), run, 'h', 1, 1000);
    expect(result.state).toBe('unknown');
  });
});
