// The last lines of a container's log, as the engine sends them for a container without a TTY:
// frames of an 8-byte header (stream, 3 zero bytes, big-endian length) and a payload. Pure.

export function demuxLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset]!;
    const length = buffer.readUInt32BE(offset + 4);
    if (stream > 2 || buffer[offset + 1] !== 0 || offset + 8 + length > buffer.length) {
      // Not multiplexed (a TTY container): the rest is plain text.
      parts.push(buffer.subarray(offset));
      return Buffer.concat(parts).toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset < buffer.length) parts.push(buffer.subarray(offset));
  return Buffer.concat(parts).toString('utf8');
}

export function lastLines(text: string, count: number): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count);
}
