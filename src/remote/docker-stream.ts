// The engine's multiplexed stream (logs and exec output of a container without a TTY): frames of an
// 8-byte header (stream 1 stdout or 2 stderr, 3 zero bytes, big-endian length) and a payload. Pure.

export interface Demuxed {
  stdout: string;
  stderr: string;
  /** Both streams in the order they came. */
  all: string;
}

export function demux(buffer: Buffer): Demuxed {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset]!;
    const length = buffer.readUInt32BE(offset + 4);
    if (stream > 2 || buffer[offset + 1] !== 0 || offset + 8 + length > buffer.length) break;
    const payload = buffer.subarray(offset + 8, offset + 8 + length);
    (stream === 2 ? err : out).push(payload);
    all.push(payload);
    offset += 8 + length;
  }
  // Not multiplexed (a TTY container), or a truncated last frame: the rest is plain output.
  if (offset < buffer.length) {
    out.push(buffer.subarray(offset));
    all.push(buffer.subarray(offset));
  }
  const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');
  return { stdout: text(out), stderr: text(err), all: text(all) };
}
