// The synthetic data `verify` sends from each target, as an agent there would: one profile for
// Pyroscope's HTTP ingest and one OTLP span for Tempo, both under their own service name so they
// never mix with an application's data; and where each is read back (pure, no I/O).

import { randomBytes } from 'node:crypto';
import { PROFILE_TYPE_CPU } from '../../render/grafana.js';

/** The service name of every synthetic profile and span (documented in docs/commands.md). */
export const VERIFY_SERVICE = 'heal-pyroscope-verify';
export const OTLP_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface SyntheticData {
  target: string;
  /** Distinguishes this run's data from an earlier verify's. */
  run: string;
  traceId: string;
  spanId: string;
}

export function syntheticData(target: string, run: string): SyntheticData {
  return { target, run, traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
}

/** The labels that select exactly this run's profile from this target. */
const labelPairs = (d: SyntheticData): Array<[string, string]> => [
  ['verify_run', d.run],
  ['verify_target', d.target],
];

/**
 * /ingest in Pyroscope's legacy HTTP format: `name=SERVICE.cpu{key=value,...}` (values unquoted:
 * labelset.Parse keeps quotes as part of the value), folded stacks in the body.
 */
export function ingestRequest(d: SyntheticData, nowMs: number): { path: string; body: string } {
  const seconds = Math.floor(nowMs / 1000);
  const query = new URLSearchParams({
    name: `${VERIFY_SERVICE}.cpu{${labelPairs(d)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`,
    from: String(seconds - 10),
    until: String(seconds),
    format: 'folded',
    sampleRate: '100',
    spyName: VERIFY_SERVICE,
  });
  return { path: `/ingest?${query.toString()}`, body: `heal_pyroscope_verify;${d.target};synthetic 1\n` };
}

/** Pyroscope's render API (what Grafana's flame graph reads) for exactly that profile. */
export function renderPath(d: SyntheticData): string {
  const query = new URLSearchParams({
    query: `${PROFILE_TYPE_CPU}{service_name="${VERIFY_SERVICE}",${labelPairs(d)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`,
    from: 'now-1h',
    until: 'now',
    format: 'json',
  });
  return `/pyroscope/render?${query.toString()}`;
}

/** Whether a render answer holds samples (flamebearer.numTicks > 0). */
export function renderHasSamples(body: string): boolean {
  try {
    const answer = JSON.parse(body) as { flamebearer?: { numTicks?: number } };
    return (answer.flamebearer?.numTicks ?? 0) > 0;
  } catch {
    return false;
  }
}

/** Tempo's trace-by-ID API. */
export function tracePath(d: SyntheticData): string {
  return `/api/traces/${d.traceId}`;
}

/** Whether a trace-by-ID answer holds at least one span batch. */
export function traceHasSpans(body: string): boolean {
  try {
    const answer = JSON.parse(body) as { batches?: unknown[]; resourceSpans?: unknown[] };
    return (answer.batches?.length ?? answer.resourceSpans?.length ?? 0) > 0;
  } catch {
    return false;
  }
}

// Protocol Buffers wire format, just what an OTLP span needs.
function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field: number, wire: number): Buffer => varint((field << 3) | wire);
const bytes = (field: number, value: Uint8Array | string): Buffer => {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  return Buffer.concat([key(field, 2), varint(b.length), b]);
};
const fixed64 = (field: number, value: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([key(field, 1), b]);
};
/** KeyValue { key = 1; AnyValue value = 2 { string_value = 1 } }. */
const stringAttribute = (field: number, k: string, v: string): Buffer =>
  bytes(field, Buffer.concat([bytes(1, k), bytes(2, bytes(1, v))]));

/**
 * opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest with one span:
 * resource_spans(1) { resource(1) { attributes(1) }, scope_spans(2) { scope(1) { name(1) }, spans(2) } }.
 */
export function otlpExportRequest(d: SyntheticData, nowMs: number): Buffer {
  const end = BigInt(nowMs) * 1_000_000n;
  const span = Buffer.concat([
    bytes(1, Buffer.from(d.traceId, 'hex')),
    bytes(2, Buffer.from(d.spanId, 'hex')),
    bytes(5, 'heal-pyroscope verify'),
    Buffer.concat([key(6, 0), varint(1)]), // SPAN_KIND_INTERNAL
    fixed64(7, end - 1_000_000n),
    fixed64(8, end),
    stringAttribute(9, 'verify.run', d.run),
  ]);
  const resource = Buffer.concat([
    stringAttribute(1, 'service.name', VERIFY_SERVICE),
    stringAttribute(1, 'host.name', d.target),
  ]);
  const scopeSpans = Buffer.concat([bytes(1, bytes(1, VERIFY_SERVICE)), bytes(2, span)]);
  return bytes(1, Buffer.concat([bytes(1, resource), bytes(2, scopeSpans)]));
}
