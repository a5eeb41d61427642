import { describe, expect, it } from 'vitest';
import { LogDecoder, type DecodedLine } from '../../../src/remote/docker-stream.js';
import { dockerFrame } from '../support/engine-socket.js';

const T1 = '2026-11-25T14:02:11.482913000Z';
const T2 = '2026-11-25T14:02:12.000000001Z';

/** Feeds `bytes` in pieces of `size` bytes, then ends. */
function decodeInPieces(bytes: Buffer, size: number, multiplexed = true): DecodedLine[] {
  const decoder = new LogDecoder(multiplexed);
  const lines: DecodedLine[] = [];
  for (let i = 0; i < bytes.length; i += size) lines.push(...decoder.push(bytes.subarray(i, i + size)));
  return [...lines, ...decoder.end()];
}

describe('the log stream decoder', () => {
  it('tells stdout from stderr and reads each line with its timestamp', () => {
    const bytes = Buffer.concat([
      dockerFrame(1, `${T1} level=info msg="started"\n`),
      dockerFrame(2, `${T2} level=error msg="no bucket"\n`),
    ]);
    expect(decodeInPieces(bytes, bytes.length)).toEqual([
      { stream: 'stdout', time: T1, line: 'level=info msg="started"' },
      { stream: 'stderr', time: T2, line: 'level=error msg="no bucket"' },
    ]);
  });

  it('gives the same lines whatever the chunk boundaries (headers and payloads split, one byte at a time)', () => {
    const bytes = Buffer.concat([
      dockerFrame(1, `${T1} first\n`),
      dockerFrame(2, `${T2} second\n`),
      dockerFrame(1, `${T2} third\n`),
    ]);
    const whole = decodeInPieces(bytes, bytes.length);
    expect(whole.map((l) => l.line)).toEqual(['first', 'second', 'third']);
    for (const size of [1, 3, 7, 8, 9, 13]) expect(decodeInPieces(bytes, size)).toEqual(whole);
  });

  it('keeps a UTF-8 character split between two chunks', () => {
    const bytes = dockerFrame(1, `${T1} grüße ✓\n`);
    const at = bytes.indexOf(Buffer.from('✓')) + 1;
    const decoder = new LogDecoder(true);
    const lines = [...decoder.push(bytes.subarray(0, at)), ...decoder.push(bytes.subarray(at)), ...decoder.end()];
    expect(lines).toEqual([{ stream: 'stdout', time: T1, line: 'grüße ✓' }]);
  });

  it('joins a long line the engine cut into several messages, with the time of its start', () => {
    // Docker splits lines over 16 KiB into partial messages, each with its own timestamp and no newline but the last.
    const bytes = Buffer.concat([
      dockerFrame(1, `${T1} ${'a'.repeat(16384)}`),
      dockerFrame(1, `${T2} ${'b'.repeat(10)}\n`),
    ]);
    expect(decodeInPieces(bytes, 4096)).toEqual([
      { stream: 'stdout', time: T1, line: `${'a'.repeat(16384)}${'b'.repeat(10)}` },
    ]);
  });

  it('does not mix a stdout line cut in two with a stderr line between its halves', () => {
    const bytes = Buffer.concat([
      dockerFrame(1, `${T1} out-`),
      dockerFrame(2, `${T2} err\n`),
      dockerFrame(1, `${T2} line\n`),
    ]);
    expect(decodeInPieces(bytes, 5)).toEqual([
      { stream: 'stderr', time: T2, line: 'err' },
      { stream: 'stdout', time: T1, line: 'out-line' },
    ]);
  });

  it('still prints a last line without its newline when the stream ends', () => {
    expect(decodeInPieces(dockerFrame(2, `${T1} panic: oops`), 6)).toEqual([
      { stream: 'stderr', time: T1, line: 'panic: oops' },
    ]);
  });

  it("reads a TTY container's raw stream as stdout lines, CR LF included", () => {
    const bytes = Buffer.from(`${T1} one\r\n${T2} two\r\n`);
    expect(decodeInPieces(bytes, 4, false)).toEqual([
      { stream: 'stdout', time: T1, line: 'one' },
      { stream: 'stdout', time: T2, line: 'two' },
    ]);
  });

  it('leaves time null for a message without a timestamp', () => {
    const decoder = new LogDecoder(true, false);
    expect([...decoder.push(dockerFrame(1, 'plain\n')), ...decoder.end()]).toEqual([
      { stream: 'stdout', time: null, line: 'plain' },
    ]);
  });
});
