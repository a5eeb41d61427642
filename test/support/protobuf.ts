// Protocol Buffers, as far as the tests write them: a length-delimited field (wire type 2) and the
// varints it needs. Field numbers come from the upstream protos at each call site.

export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.from(out);
}

/** Field `n` holding `value` (bytes, a string, or an embedded message). */
export const field = (n: number, value: Uint8Array | string): Buffer => {
  const b = Buffer.from(value);
  return Buffer.concat([varint((n << 3) | 2), varint(b.length), b]);
};
