// The engine's multiplexed stream (logs and exec output of a container without a TTY): frames of an
// 8-byte header (stream 1 stdout or 2 stderr, 3 zero bytes, big-endian length) and a payload. Pure.
import { group } from '../core/defined.js';

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
    const stream = buffer.readUInt8(offset);
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

export type LogStreamName = 'stdout' | 'stderr';

/** One line of a container's log: where it came from, when (the engine's timestamp), what it says. */
export interface DecodedLine {
  stream: LogStreamName;
  /** RFC 3339 with nanoseconds as the engine wrote it; null when the line carried none. */
  time: string | null;
  line: string;
}

// The engine's `timestamps=true` prefix: RFC3339Nano and one space, at the start of each message.
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) /;

interface Pending {
  bytes: Buffer[];
  time: string | null;
}

/**
 * The log stream decoded as it arrives, in chunks of any size: frame headers and payloads split
 * across chunks are put back together, a line split across frames (the engine cuts lines longer
 * than 16 KiB into several messages, each with its own timestamp) is one line with the time of its
 * start, and bytes are decoded as UTF-8 only once a line is whole, so a character split between
 * chunks survives. Without multiplexing (a container with a TTY) every line is stdout.
 */
export class LogDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Record<LogStreamName, Pending> = {
    stdout: { bytes: [], time: null },
    stderr: { bytes: [], time: null },
  };

  constructor(
    private readonly multiplexed: boolean,
    /** The stream was asked for with timestamps=true: each message starts with one. */
    private readonly timestamps = true,
  ) {}

  push(chunk: Buffer): DecodedLine[] {
    const lines: DecodedLine[] = [];
    if (!this.multiplexed) {
      this.text('stdout', chunk, lines, false);
      return lines;
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    while (offset + 8 <= this.buffer.length) {
      const kind = this.buffer.readUInt8(offset);
      const length = this.buffer.readUInt32BE(offset + 4);
      if (offset + 8 + length > this.buffer.length) break;
      const payload = this.buffer.subarray(offset + 8, offset + 8 + length);
      // 0 is stdin (never in a log); 1 stdout, 2 stderr.
      if (kind === 1 || kind === 2) this.text(kind === 2 ? 'stderr' : 'stdout', payload, lines, true);
      offset += 8 + length;
    }
    this.buffer = this.buffer.subarray(offset);
    return lines;
  }

  /** The stream ended: a last line without its newline is still a line; a cut frame's bytes are too. */
  end(): DecodedLine[] {
    const lines: DecodedLine[] = [];
    if (this.buffer.length > 8)
      this.text(this.buffer[0] === 2 ? 'stderr' : 'stdout', this.buffer.subarray(8), lines, true);
    this.buffer = Buffer.alloc(0);
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.pending[stream];
      if (p.bytes.length > 0) lines.push(this.finish(stream, Buffer.concat(p.bytes)));
    }
    return lines;
  }

  /** Adds bytes of one stream; `message` says they are one whole engine message (a frame), which starts with its timestamp. */
  private text(stream: LogStreamName, bytes: Buffer, lines: DecodedLine[], message: boolean): void {
    const p = this.pending[stream];
    let rest = bytes;
    if (message) {
      const stamp = this.timestamps ? this.stampOf(rest) : undefined;
      // A message continuing a cut line keeps the time of the line's start.
      if (p.bytes.length === 0) p.time = stamp?.time ?? null;
      if (stamp) rest = rest.subarray(stamp.length);
    }
    for (;;) {
      const newline = rest.indexOf(0x0a);
      if (newline < 0) break;
      p.bytes.push(rest.subarray(0, newline));
      lines.push(this.finish(stream, Buffer.concat(p.bytes)));
      rest = rest.subarray(newline + 1);
    }
    if (rest.length > 0) p.bytes.push(Buffer.from(rest));
  }

  private stampOf(bytes: Buffer): { time: string; length: number } | undefined {
    const match = TIMESTAMP.exec(bytes.subarray(0, 48).toString('latin1'));
    return match ? { time: group(match, 1), length: match[0].length } : undefined;
  }

  private finish(stream: LogStreamName, bytes: Buffer): DecodedLine {
    const p = this.pending[stream];
    const time = p.time;
    p.bytes = [];
    // A TTY ends lines with CR LF.
    // Further lines of the same message keep its time; the next message sets its own.
    let line = bytes.toString('utf8').replace(/\r$/, '');
    if (!this.multiplexed && this.timestamps) {
      // A raw stream carries the timestamp at the start of each line: read once the line is whole.
      const stamp = TIMESTAMP.exec(line);
      if (stamp) line = line.slice(stamp[0].length);
      return { stream, time: stamp?.[1] ?? null, line };
    }
    return { stream, time, line };
  }
}
