// The lab stand-ins' wire protocols (lab only; run by the image's own node binary, node: modules
// only). One process per listener, started by the stand-in's shell entrypoint once its config checks
// passed: `node /lab/protocols.mjs ROLE ADDRESS PORT`.
//   pyroscope    HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on one port, as Pyroscope serves
//                them: /ready, POST /ingest (folded stacks stored; pprof, raw or in a multipart
//                `profile` field, gzipped or not: each sample type's total stored, named as
//                Pyroscope 1.14.0 names it), /pyroscope/render (what was stored, as flamebearer
//                JSON), gRPC/connect pushes accepted.
//   otlp-grpc    Tempo's OTLP gRPC receiver: TraceService/Export, spans stored by trace id.
//   otlp-http    Tempo's OTLP HTTP receiver (HTTP/1.1): POST /v1/traces, application/x-protobuf or
//                application/json, gzip/zlib/deflate bodies, spans stored by trace id; 405, 415,
//                404 and rpc.Status error bodies as the collector's otlpreceiver answers them.
//   jaeger-grpc  Tempo's Jaeger gRPC receiver: CollectorService/PostSpans, spans stored by trace id.
// Data is kept per tenant: STORE/tenants/TENANT/profiles.jsonl and STORE/tenants/TENANT/traces/ID.json,
// read back by /pyroscope/render and by Tempo's HTTP stand-in (/api/traces/ID). With
// LAB_MULTITENANCY=1 (the entrypoint's multitenancy_enabled: true) the tenant is the request's
// X-Scope-OrgID (gRPC metadata x-scope-orgid), refused without it as the real servers refuse it (see
// "Tenants" below and each receiver's notes); otherwise every request is tenant `anonymous`
// (Pyroscope) or `single-tenant` (Tempo) and the header is ignored, as upstream ignores it. /ready
// needs no tenant.
// The listener writes /tmp/lab-pid-ROLE once it listens, so a test can stop one receiver by its id.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';

const [role, address, portText] = process.argv.slice(2);
const port = Number(portText);
const STORE = process.env.LAB_STORE ?? '/tmp/lab-store';
const LIB = process.env.LAB_LIB ?? '/lab/lib.sh';
const RUN = process.env.LAB_RUN ?? '/tmp';
const component = role === 'pyroscope' ? 'pyroscope' : 'tempo';
const MULTITENANCY = process.env.LAB_MULTITENANCY === '1';

function log(message) {
  process.stderr.write(`${new Date().toISOString().slice(0, 19)}Z ${component}: ${message}\n`);
}
function noteRequest(line) {
  try {
    fs.appendFileSync(path.join(RUN, 'lab-requests.log'), `${line}\n`);
  } catch {
    // The request log is a debugging aid: never fail a request over it.
  }
}

// ---- Tenants, as dskit (pinned by Pyroscope 1.14.0 and Tempo 2.8.1) and the two servers apply them.
// Off: pkg/tenant/interceptor.go DefaultTenantID (Pyroscope), pkg/util/auth.go FakeTenantID (Tempo).
const DEFAULT_TENANT = component === 'pyroscope' ? 'anonymous' : 'single-tenant';
const NO_ORG_ID = 'no org id'; // dskit user.ErrNoOrgID
const TOO_MANY_ORG_IDS = 'multiple org IDs present'; // dskit user.ErrTooManyOrgIDs

/** dskit tenant.ValidTenantID: its error text, or null for a valid id. */
function tenantIdError(id) {
  const bad = /[^A-Za-z0-9!\-_.*'()]/.exec(id);
  if (bad) return `tenant ID '${id}' contains unsupported character '${bad[0]}'`;
  if (Buffer.byteLength(id) > 150) return 'tenant ID is too long: max 150 characters';
  if (id === '.' || id === '..') return "tenant ID is '.' or '..'";
  return null;
}
/** dskit tenant.TenantIDs: the distinct, sorted ids of `a|b` ({ ids }), or { error }. */
function tenantIds(orgId) {
  const ids = orgId.split('|');
  for (const id of ids) {
    const error = tenantIdError(id);
    if (error) return { error };
  }
  return { ids: [...new Set(ids)].sort() };
}
/** dskit tenant.TenantID: exactly one id ({ id }), or { error }. */
function tenantId(orgId) {
  const r = tenantIds(orgId);
  if (r.error) return r;
  return r.ids.length > 1 ? { error: TOO_MANY_ORG_IDS } : { id: r.ids[0] };
}
/**
 * A tenant's directory: STORE/tenants/ID for a valid id. Tempo's ingest path stores under whatever
 * id it is sent (no validation there), so any other id gets a name no valid id can have.
 */
function tenantDir(id) {
  if (id !== '' && tenantIdError(id) === null) return path.join(STORE, 'tenants', id);
  const hex = Buffer.from(id).toString('hex');
  const name = hex.length <= 200 ? hex : `sha256-${createHash('sha256').update(id).digest('hex')}`;
  return path.join(STORE, 'tenants', `~${name}`);
}
/** A request header's values in order, trimmed (Go's Header.Get reads the first; gRPC metadata all). */
function headerValues(rawHeaders, name) {
  const values = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    if (rawHeaders[i].toLowerCase() === name) values.push(rawHeaders[i + 1].trim());
  return values;
}

// ---- protobuf: just enough of the wire format to walk messages (varint, fixed64, bytes, fixed32).
function readVarint(buf, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value, pos];
    shift += 7n;
  }
}
/** Fields of one message: [{ field, wire, value }] (value: Buffer for bytes, bigint otherwise). */
function fields(buf) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      out.push({ field, wire, value: v });
    } else if (wire === 1) {
      out.push({ field, wire, value: buf.readBigUInt64LE(pos) });
      pos += 8;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      const end = pos + Number(len);
      if (end > buf.length) throw new Error('truncated field');
      out.push({ field, wire, value: buf.subarray(pos, end) });
      pos = end;
    } else if (wire === 5) {
      out.push({ field, wire, value: BigInt(buf.readUInt32LE(pos)) });
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return out;
}
const all = (buf, n) =>
  fields(buf)
    .filter((f) => f.field === n && f.wire === 2)
    .map((f) => f.value);
const one = (buf, n) => all(buf, n)[0];
const text = (b) => (b ? b.toString('utf8') : '');

/** OTLP ExportTraceServiceRequest -> [{ traceId, spanId, name, service }]. */
function otlpSpans(body) {
  const spans = [];
  for (const rs of all(body, 1)) {
    let service = '';
    const resource = one(rs, 1);
    for (const kv of resource ? all(resource, 1) : []) {
      const value = one(kv, 2);
      if (text(one(kv, 1)) === 'service.name' && value) service = text(one(value, 1));
    }
    for (const ss of all(rs, 2)) {
      for (const span of all(ss, 2)) {
        spans.push({
          traceId: (one(span, 1) ?? Buffer.alloc(0)).toString('hex'),
          spanId: (one(span, 2) ?? Buffer.alloc(0)).toString('hex'),
          name: text(one(span, 5)),
          service,
        });
      }
    }
  }
  return spans;
}

/** Jaeger api_v2 PostSpansRequest -> spans; a span's own process wins over the batch's. */
function jaegerSpans(body) {
  const spans = [];
  const batch = one(body, 1);
  if (!batch) return spans;
  const batchProcess = one(batch, 2);
  for (const span of all(batch, 1)) {
    const process = one(span, 10) ?? batchProcess;
    spans.push({
      traceId: (one(span, 1) ?? Buffer.alloc(0)).toString('hex'),
      spanId: (one(span, 2) ?? Buffer.alloc(0)).toString('hex'),
      name: text(one(span, 3)),
      service: process ? text(one(process, 1)) : '',
    });
  }
  return spans;
}

/** Tempo's trace-by-id JSON (tempopb.Trace as protojson: ids in base64). */
function storeSpans(spans, tenant) {
  const dir = path.join(tenantDir(tenant), 'traces');
  fs.mkdirSync(dir, { recursive: true });
  for (const s of spans) {
    const id = s.traceId.replace(/^0+(?=.)/, '').padStart(32, '0');
    if (!/^[0-9a-f]{32}$/.test(id) || /^0+$/.test(id)) continue;
    const file = path.join(dir, `${id}.json`);
    let trace = { batches: [] };
    try {
      trace = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      // First span of this trace.
    }
    trace.batches.push({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: Buffer.from(id, 'hex').toString('base64'),
              spanId: Buffer.from(s.spanId, 'hex').toString('base64'),
              name: s.name,
            },
          ],
        },
      ],
    });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(trace));
    fs.renameSync(`${file}.tmp`, file);
  }
}

// ---- gRPC over HTTP/2: 5-byte prefix (compressed flag, big-endian length), trailers grpc-status.
function grpcMessages(body) {
  const messages = [];
  let pos = 0;
  while (pos + 5 <= body.length) {
    if (body[pos] !== 0) throw new Error('compressed messages are not supported by the lab stand-in');
    const len = body.readUInt32BE(pos + 1);
    messages.push(body.subarray(pos + 5, pos + 5 + len));
    pos += 5 + len;
  }
  return messages;
}
function grpcAnswer(stream, status, message) {
  if (stream.destroyed || stream.closed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () =>
    stream.sendTrailers(
      status === 0
        ? { 'grpc-status': '0' }
        : { 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) },
    ),
  );
  // An empty response message (ExportTraceServiceResponse, PostSpansResponse) on success.
  stream.end(status === 0 ? Buffer.alloc(5) : undefined);
}
function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * The receivers' tenant check (Tempo's modules/distributor/receiver/middleware.go, multiTenancyMiddleware,
 * in front of the distributor): exactly one x-scope-orgid (dskit user.ExtractFromGRPCRequest), not
 * validated. Without it the consumer's error is the plain `no org id`, which the OTLP receiver turns
 * into Unavailable (otlpreceiver internal/errors GetStatusFromError) and the Jaeger receiver returns
 * as is (grpc-go: Unknown). An OTLP export without spans is answered before the consumer runs.
 */
const RECEIVERS = {
  'otlp-grpc': {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    spans: otlpSpans,
    noOrgIdStatus: 14,
    emptyIsOk: true,
  },
  'jaeger-grpc': {
    path: '/jaeger.api_v2.CollectorService/PostSpans',
    spans: jaegerSpans,
    noOrgIdStatus: 2,
    emptyIsOk: false,
  },
};

function receiver(kind) {
  const server = http2.createServer();
  server.on('stream', async (stream, headers, _flags, rawHeaders) => {
    stream.on('error', () => {});
    const p = headers[':path'];
    noteRequest(`${headers[':method']} ${p} (h2)`);
    if (!String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      // grpc-go's answer to a request that is not gRPC.
      stream.respond({ ':status': 415, 'content-type': 'text/plain' });
      stream.end(`invalid gRPC request content-type "${headers['content-type'] ?? ''}"`);
      return;
    }
    const body = await readAll(stream).catch(() => null);
    if (body === null) return;
    if (headers[':method'] !== 'POST' || p !== kind.path)
      return grpcAnswer(stream, 12, `unknown service or method ${p}`);
    let spans;
    try {
      spans = grpcMessages(body).flatMap(kind.spans);
    } catch (error) {
      return grpcAnswer(stream, 3, `cannot decode the request: ${error.message}`);
    }
    if (spans.length === 0 && kind.emptyIsOk) return grpcAnswer(stream, 0);
    let tenant = DEFAULT_TENANT;
    if (MULTITENANCY) {
      const orgIds = headerValues(rawHeaders ?? [], 'x-scope-orgid');
      if (orgIds.length !== 1) return grpcAnswer(stream, kind.noOrgIdStatus, NO_ORG_ID);
      tenant = orgIds[0];
    }
    storeSpans(spans, tenant);
    grpcAnswer(stream, 0);
  });
  return server;
}

// ---- Tempo's OTLP HTTP receiver: the collector's otlpreceiver vendored by Tempo 2.8.1
// (vendor/go.opentelemetry.io/collector/receiver/otlpreceiver/otlphttp.go, handleTraces), behind
// confighttp's server middleware (config/confighttp: 20 MiB body limit, Content-Encoding decoders).
// Tempo registers only the traces consumer, so /v1/traces is the one route; everything else is
// the ServeMux's 404. Errors are an rpc.Status in the request's encoding.
const OTLP_TRACES_PATH = '/v1/traces'; // otlpreceiver factory.go defaultTracesURLPath
const OTLP_MAX_BODY = 20 * 1024 * 1024; // confighttp defaultMaxRequestBodySize
const OTLP_ENCODINGS = { 'application/x-protobuf': 'pb', 'application/json': 'json' }; // encoder.go

/** Go's mime.ParseMediaType as the receiver uses it: the lower-cased media type, '' when invalid. */
function mediaType(contentType) {
  const token = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
  const [type, ...params] = contentType.split(';');
  const mt = type.trim().toLowerCase();
  if (!new RegExp(`^${token}(/${token})?$`).test(mt)) return '';
  const param = new RegExp(`^\\s*${token}\\s*=\\s*(${token}|"([^"\\\\]|\\\\.)*")\\s*$`);
  const last = params.length - 1;
  if (params.some((p, i) => !param.test(p) && !(i === last && p.trim() === ''))) return '';
  return mt;
}
function varint(n) {
  const out = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}
/** Go's encoding/json string escaping (HTML-safe), as gogo jsonpb writes strings. */
const goJson = (value) =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** A google.rpc.Status (code, message; no details) as encoder.go marshalStatus writes it. */
function rpcStatus(enc, code, message) {
  if (enc === 'json') return goJson(message ? { code, message } : { code });
  const msg = Buffer.from(message);
  return Buffer.concat([
    Buffer.from([0x08]),
    varint(code),
    ...(msg.length ? [Buffer.from([0x12]), varint(msg.length), msg] : []),
  ]);
}
// statusutil.NewStatusFromMsgAndHTTPCode, for the HTTP codes used here.
const GRPC_CODE_OF_HTTP = { 400: 3, 503: 14 };
/** writeError / errorHandler: [status, rpc.Status body, content type]. */
const otlpError = (enc, status, message, code = GRPC_CODE_OF_HTTP[status] ?? 2) => [
  status,
  rpcStatus(enc, code, message),
  enc === 'json' ? 'application/json' : 'application/x-protobuf',
];
/**
 * The Content-Encoding decoders confighttp enables by default (compression.go availableDecoders,
 * defaultCompressionAlgorithms). gzip and zlib read their header when the decoder is made (an
 * error there goes to errorHandler), the rest of the stream as the handler reads the body.
 */
const OTLP_DECODERS = {
  '': null,
  gzip: {
    header: (b) =>
      b.length === 0
        ? 'EOF'
        : b.length < 10
          ? 'unexpected EOF'
          : b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8
            ? 'gzip: invalid header'
            : null,
    decode: (b) => zlib.gunzipSync(b),
  },
  zlib: {
    header: (b) =>
      b.length === 0
        ? 'EOF'
        : b.length < 2
          ? 'unexpected EOF'
          : (b[0] & 0x0f) !== 8 || b[0] >> 4 > 7 || b.readUInt16BE(0) % 31 !== 0
            ? 'zlib: invalid header'
            : null,
    decode: (b) => zlib.inflateSync(b),
  },
  zstd: zlib.zstdDecompressSync ? { header: () => null, decode: (b) => zlib.zstdDecompressSync(b) } : 'unsupported',
  snappy: 'unsupported',
  lz4: 'unsupported',
};
OTLP_DECODERS.deflate = OTLP_DECODERS.zlib;

/** An OTLP/JSON id (hex, as pdata's unmarshalJSON reads it) -> hex; throws pdata's error. */
function jsonId(value, bytes, what) {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value !== 'string') throw new Error(`ReadString: expects " or n, but found ${JSON.stringify(value)[0]}`);
  if (value.length >> 1 !== bytes) throw new Error(`${what}invalid length for ID`);
  if (!/^([0-9A-Fa-f]{2})*$/.test(value))
    throw new Error(
      `${what}cannot unmarshal ID from string '${value}': encoding/hex: ${value.length % 2 ? 'odd length hex string' : 'invalid byte'}`,
    );
  return value.toLowerCase();
}
/** The elements of an array field under its camelCase and snake_case names (pdata reads both). */
const jsonList = (obj, ...names) => names.flatMap((k) => (Array.isArray(obj?.[k]) ? obj[k] : []));
const jsonText = (v) => (typeof v === 'string' ? v : '');

/** OTLP/JSON ExportTraceServiceRequest (ptrace JSONUnmarshaler) -> spans, as otlpSpans. */
function otlpJsonSpans(body) {
  let doc;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new Error(`ReadObjectCB: ${error.message}`);
  }
  if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc)))
    throw new Error(`ReadObjectCB: expect { or n, but found ${JSON.stringify(doc)[0]}`);
  const spans = [];
  for (const rs of jsonList(doc, 'resourceSpans', 'resource_spans')) {
    let service = '';
    for (const kv of jsonList(rs?.resource, 'attributes'))
      if (kv?.key === 'service.name') service = jsonText(kv.value?.stringValue ?? kv.value?.string_value);
    for (const ss of jsonList(rs, 'scopeSpans', 'scope_spans')) {
      for (const span of jsonList(ss, 'spans')) {
        spans.push({
          traceId: jsonId(span?.traceId ?? span?.trace_id, 16, 'readSpan.traceId: parse trace_id:'),
          spanId: jsonId(span?.spanId ?? span?.span_id, 8, 'readSpan.spanId: parse span_id:'),
          name: jsonText(span?.name),
          service,
        });
      }
    }
  }
  return spans;
}

/** One request to the OTLP HTTP receiver -> [status, body, content type, extra headers]. */
function otlpHttpAnswer(method, url, rawHeaders, raw) {
  const contentType = headerValues(rawHeaders, 'content-type')[0] ?? '';
  const enc = OTLP_ENCODINGS[mediaType(contentType)];
  // errorHandler: the request's encoding if it names one, else 500 with a fixed JSON status.
  const handlerError = (message) =>
    enc
      ? otlpError(enc, 400, message)
      : [500, '{"code": 13, "message": "failed to marshal error message"}', 'application/json'];
  // confighttp's decompressor runs first, on every path and method.
  const encoding = headerValues(rawHeaders, 'content-encoding')[0] ?? '';
  const decoder = Object.hasOwn(OTLP_DECODERS, encoding) ? OTLP_DECODERS[encoding] : undefined;
  if (decoder === undefined) return handlerError(`unsupported Content-Encoding: ${encoding}`);
  if (decoder === 'unsupported')
    return handlerError(`lab stand-in: Tempo accepts Content-Encoding ${encoding}; the stand-in cannot decode it`);
  const headerError = decoder?.header(raw);
  if (headerError) return handlerError(headerError);
  let p = url.pathname;
  try {
    p = decodeURIComponent(p);
  } catch {
    // Go's URL parser would have refused the request line; the ServeMux sees no match.
  }
  if (p !== OTLP_TRACES_PATH)
    return [404, '404 page not found\n', 'text/plain; charset=utf-8', { 'x-content-type-options': 'nosniff' }];
  if (method !== 'POST') return [405, '405 method not allowed, supported: [POST]', 'text/plain'];
  if (!enc)
    return [415, '415 unsupported media type, supported: [application/json, application/x-protobuf]', 'text/plain'];
  // readAndCloseBody: the body through the decoder and http.MaxBytesReader.
  let body = raw;
  if (raw.length > OTLP_MAX_BODY) return otlpError(enc, 400, 'http: request body too large');
  if (decoder) {
    try {
      body = decoder.decode(raw);
    } catch (error) {
      return otlpError(enc, 400, error.code === 'Z_BUF_ERROR' ? 'unexpected EOF' : error.message);
    }
    if (body.length > OTLP_MAX_BODY) return otlpError(enc, 400, 'http: request body too large');
  }
  let spans;
  try {
    spans = enc === 'json' ? otlpJsonSpans(body) : otlpSpans(body);
  } catch (error) {
    return otlpError(enc, 400, error.message);
  }
  // ExportResponse with its non-nullable partial_success: `0a 00` in protobuf, as JSON
  // {"partialSuccess":{}} (gogo jsonpb writes empty struct fields).
  const ok =
    enc === 'json'
      ? [200, '{"partialSuccess":{}}', 'application/json']
      : [200, Buffer.from([0x0a, 0x00]), 'application/x-protobuf'];
  if (spans.length === 0) return ok; // trace.Receiver.Export answers before the consumer runs.
  let tenant = DEFAULT_TENANT;
  if (MULTITENANCY) {
    // multiTenancyMiddleware, HTTP side: the X-Scope-OrgID values of the client metadata (Tempo sets
    // include_metadata), exactly one; else dskit's ErrNoOrgID, made Unavailable by the receiver
    // (GetStatusFromError) and written as 503 by writeError (GetHTTPStatusCodeFromStatus).
    const orgIds = headerValues(rawHeaders, 'x-scope-orgid');
    if (orgIds.length !== 1) return otlpError(enc, 503, NO_ORG_ID, 14);
    tenant = orgIds[0];
  }
  storeSpans(spans, tenant);
  return ok;
}

function otlpHttp() {
  return http.createServer(async (req, res) => {
    noteRequest(`${req.method} ${req.url}`);
    const raw = await readAll(req).catch(() => null);
    if (raw === null) return;
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const [status, body, type, extra] = otlpHttpAnswer(req.method, url, req.rawHeaders, raw);
    // Go's server sets Content-Length on a short answer written at once.
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

// ---- Pyroscope: HTTP/1.1 and h2c on one port.
function s3Ready() {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', `. ${LIB}; s3_ready`], { timeout: 10_000 }, (error, stdout) =>
      resolve(error ? stdout.trim() || 's3: readiness check failed' : null),
    );
  });
}

/**
 * [name, {labels}] of the /ingest name parameter, `app.cpu{a=b,c=d}` (values taken as written,
 * quotes included, as Pyroscope's labelset.Parse does), or of a query selector, `TYPE{a="b"}`
 * (PromQL: values must be quoted).
 */
function parseSelector(s, quoted) {
  const m = /^([^{]*)(?:\{(.*)\})?$/.exec(s.trim());
  if (!m) return null;
  const labels = {};
  for (const pair of (m[2] ?? '').split(',').filter((x) => x.trim() !== '')) {
    const lm = quoted
      ? /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*$/.exec(pair)
      : /^\s*([A-Za-z0-9_.]+)\s*=(.*)$/.exec(pair);
    if (!lm) return null;
    labels[lm[1]] = quoted ? lm[2] : lm[2].trim();
  }
  return [m[1].trim(), labels];
}

const PROFILE_KINDS = {
  cpu: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds',
  wall: 'wall:wall:nanoseconds:wall:nanoseconds',
};

/** Packed or single varints of one repeated scalar field. */
function varints(buf, n) {
  const out = [];
  for (const f of fields(buf).filter((x) => x.field === n)) {
    if (f.wire === 0) out.push(f.value);
    else if (f.wire === 2) {
      let pos = 0;
      while (pos < f.value.length) {
        let v;
        [v, pos] = readVarint(f.value, pos);
        out.push(v);
      }
    }
  }
  return out;
}
const scalar = (buf, n) => fields(buf).find((f) => f.field === n && f.wire === 0)?.value ?? 0n;

/**
 * A pprof Profile's sample types with their totals, and the metric name Pyroscope 1.14.0 gives
 * them (pkg/og/convert/pprof/profile.go, metricName: `wall` if any sample type is wall, else by
 * the sample type's name).
 */
function pprofTotals(raw) {
  const buf = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
  const strings = all(buf, 6).map(text);
  const valueType = (m) => ({ type: strings[Number(scalar(m, 1))] ?? '', unit: strings[Number(scalar(m, 2))] ?? '' });
  const types = all(buf, 1).map(valueType);
  const period = one(buf, 11) ? valueType(one(buf, 11)) : { type: '', unit: '' };
  const totals = types.map(() => 0);
  for (const sample of all(buf, 2)) varints(sample, 2).forEach((v, i) => (totals[i] += Number(BigInt.asIntN(64, v))));
  const names = types.map((t) => t.type);
  const metric = names.includes('wall')
    ? 'wall'
    : (names
        .map((st) =>
          st.includes('cpu')
            ? 'process_cpu'
            : /alloc_|inuse_/.test(st) || st === 'space' || st === 'objects'
              ? 'memory'
              : st.includes('mutex_')
                ? 'mutex'
                : st.includes('block_')
                  ? 'block'
                  : st.includes('goroutines')
                    ? 'goroutines'
                    : null,
        )
        .find((m) => m !== null) ?? names[names.length - 1]);
  return types.map((t, i) => ({
    profileType: `${metric}:${t.type}:${t.unit}:${period.type}:${period.unit}`,
    total: totals[i],
  }));
}

/** The `profile` field of a multipart form, or the body itself. */
function pprofBody(contentType, body) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return body;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(marker);
  while (at >= 0) {
    const next = body.indexOf(marker, at + marker.length);
    const part = body.subarray(at + marker.length, next < 0 ? body.length : next);
    const split = part.indexOf('\r\n\r\n');
    if (split > 0 && /name="profile"/.test(part.subarray(0, split).toString('utf8')))
      return part.subarray(split + 4, part.length - 2);
    at = next;
  }
  return Buffer.alloc(0);
}

function storeProfile(record, tenant) {
  const dir = tenantDir(tenant);
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'profiles.jsonl'), `${JSON.stringify(record)}\n`);
}
function readProfiles(tenant) {
  try {
    return fs
      .readFileSync(path.join(tenantDir(tenant), 'profiles.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return []; // Nothing stored for this tenant yet.
  }
}

/**
 * Pyroscope 1.14.0's answers about tenants (multitenancy on). Without X-Scope-OrgID the HTTP routes'
 * auth middleware (pkg/util/http.go AuthenticateUser) answers 401 through httputil.ErrorWithStatus:
 * connect-style JSON and a newline. An id dskit refuses passes that middleware and fails where the
 * distributor reads the tenant (PushParsed: connect Unauthenticated), surfacing as the ingest handler
 * writes it: 401 as connect's unary error for the formats parsed in place (folded, lines...; the
 * error is an ingestion.Error), 422 with the wrapped text for the ones converted to pprof first.
 */
const jsonError = (status, code, message, newline = false) => [
  status,
  `${JSON.stringify({ code, message })}${newline ? '\n' : ''}`,
  'application/json',
];
const noOrgId = () => jsonError(401, 'unauthenticated', NO_ORG_ID, true);
const ingestTenantError = (format, error) =>
  format === 'pprof' || format === 'jfr'
    ? jsonError(422, 'unknown', `pushing IngestInput-pprof failed unauthenticated: ${error}`, true)
    : jsonError(401, 'unauthenticated', error);
// The connect interceptor (pkg/tenant/interceptor.go) ignores the error of an id dskit refuses and
// calls on with a nil context; the handler's nil dereference is recovered as CodeInternal
// (pkg/util/recovery.go).
const NIL_CONTEXT_PANIC = 'runtime error: invalid memory address or nil pointer dereference';

/** tenant: { id } or { error } (an id dskit refuses). */
function ingest(url, body, contentType, tenant) {
  const parsed = parseSelector(url.searchParams.get('name') ?? '', false);
  if (!parsed || parsed[0] === '') return [400, 'name is required'];
  const format = url.searchParams.get('format') ?? 'folded';
  if (format === 'pprof') {
    let totals;
    try {
      totals = pprofTotals(pprofBody(contentType, body));
    } catch (error) {
      return [400, `failed to parse pprof: ${error.message}`];
    }
    if (tenant.error && totals.length > 0) return ingestTenantError(format, tenant.error);
    // The whole name is the service (labelset.ServiceName: no `.cpu` suffix to strip for pprof).
    for (const t of totals)
      storeProfile(
        {
          profileType: t.profileType,
          labels: { service_name: parsed[0], ...parsed[1] },
          at: Date.now(),
          stacks: [{ frames: [], value: t.total }],
        },
        tenant.id,
      );
    return [200, ''];
  }
  if (tenant.error) return ingestTenantError(format, tenant.error);
  if (!['folded', 'lines', ''].includes(format)) return [200, '']; // accepted, not stored by the stand-in
  const parts = parsed[0].split('.');
  const kind = parts.length > 1 ? parts.pop() : 'cpu';
  const stacks = [];
  for (const line of body.toString('utf8').split('\n')) {
    const m = /^(.*\S)\s+(\d+)$/.exec(line.trim());
    if (m) stacks.push({ frames: m[1].split(';'), value: Number(m[2]) });
  }
  const record = {
    profileType: PROFILE_KINDS[kind] ?? `${kind}`,
    labels: { service_name: parts.join('.'), ...parsed[1] },
    at: Date.now(),
    stacks,
  };
  storeProfile(record, tenant.id);
  return [200, ''];
}

/** attime-like: now, now-1h, unix seconds or milliseconds. */
function parseTime(v, fallback) {
  if (!v) return fallback;
  const rel = /^now(?:-(\d+)([smhd]))?$/.exec(v);
  if (rel) return Date.now() - (rel[1] ? Number(rel[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[rel[2]] : 0);
  if (/^\d+$/.test(v)) return v.length > 11 ? Number(v) : Number(v) * 1000;
  return fallback;
}

/** tenants: { ids } (a query may name several, `a|b`, and reads them all) or { error }. */
function render(url, tenants) {
  const q = url.searchParams.get('query');
  if (!q) return [400, JSON.stringify({ code: 'invalid_argument', message: "'query' is required" })];
  const parsed = parseSelector(q, true);
  if (!parsed) return [400, JSON.stringify({ code: 'invalid_argument', message: "failed to parse 'query'" })];
  if (parsed[0] === '')
    return [
      400,
      JSON.stringify({ code: 'invalid_argument', message: "'query' must contain a profile-type selection" }),
    ];
  if (parsed[0].split(':').length !== 5)
    return [400, JSON.stringify({ code: 'invalid_argument', message: "failed to parse 'query'" })];
  // The query frontend reads the tenants after parsing the query (pkg/frontend, tenant.TenantIDs:
  // CodeInvalidArgument), written as connect's unary error.
  if (tenants.error) return jsonError(400, 'invalid_argument', tenants.error);
  const from = parseTime(url.searchParams.get('from'), Date.now() - 3.6e6);
  const until = parseTime(url.searchParams.get('until'), Date.now());
  const records = tenants.ids.flatMap(readProfiles);
  const matching = records.filter(
    (r) =>
      r.profileType === parsed[0] &&
      r.at >= from &&
      r.at <= until &&
      Object.entries(parsed[1]).every(([k, v]) => r.labels[k] === v),
  );
  const names = ['total'];
  let numTicks = 0;
  for (const r of matching) {
    for (const s of r.stacks) {
      numTicks += s.value;
      for (const f of s.frames) if (!names.includes(f)) names.push(f);
    }
  }
  const fb = {
    version: 1,
    flamebearer: { names, levels: numTicks > 0 ? [[0, numTicks, 0, 0]] : [], numTicks, maxSelf: 0 },
    metadata: { format: 'single', spyName: '', sampleRate: 100, units: '', name: parsed[0] },
    timeline: { startTime: Math.floor(from / 1000), samples: [numTicks], durationDelta: 10 },
  };
  return [200, JSON.stringify(fb), 'application/json'];
}

/**
 * [status, body, content type], or ['grpc', grpc-status, grpc-message] for a gRPC answer. orgId: the
 * request's X-Scope-OrgID ('' when absent), read only with multitenancy on.
 */
async function pyroscopeAnswer(method, url, contentType, body, orgId) {
  const p = url.pathname;
  const grpc = contentType.startsWith('application/grpc');
  if (p === '/ready') {
    if (method !== 'GET') return [405, ''];
    const why = await s3Ready();
    return why === null ? [200, 'ready'] : [503, `Some services are not Running: ${why}`];
  }
  if (p === '/ingest' || p === '/pyroscope/ingest') {
    if (method !== 'POST') return [405, ''];
    if (!MULTITENANCY) return ingest(url, body, contentType, { id: DEFAULT_TENANT });
    return orgId ? ingest(url, body, contentType, tenantId(orgId)) : noOrgId();
  }
  if (p === '/pyroscope/render') {
    if (method !== 'GET') return [405, ''];
    if (!MULTITENANCY) return render(url, { ids: [DEFAULT_TENANT] });
    return orgId ? render(url, tenantIds(orgId)) : noOrgId();
  }
  if (p.startsWith('/push.v1.PusherService/')) {
    // A connect handler: no HTTP middleware; the connect auth interceptor refuses a missing tenant
    // as Unauthenticated (grpc-status 16, or connect's unary 401).
    if (method !== 'POST') return [405, ''];
    if (MULTITENANCY && !orgId) return grpc ? ['grpc', 16, NO_ORG_ID] : jsonError(401, 'unauthenticated', NO_ORG_ID);
    if (MULTITENANCY && tenantId(orgId).error)
      return grpc ? ['grpc', 13, NIL_CONTEXT_PANIC] : jsonError(500, 'internal', NIL_CONTEXT_PANIC);
    if (grpc) return ['grpc', 0, ''];
    return [200, contentType.includes('json') ? '{}' : '', contentType || 'application/proto'];
  }
  if (p.startsWith('/opentelemetry.proto.collector.profiles.')) {
    // An HTTP route behind the auth middleware, then pkg/ingester/otlp/ingest_handler.go Export,
    // whose PushParsed error comes back wrapped, as Unknown.
    if (method !== 'POST') return [405, ''];
    if (MULTITENANCY && !orgId) return noOrgId();
    const error = MULTITENANCY ? tenantId(orgId).error : undefined;
    if (grpc) return error ? ['grpc', 2, `failed to make a GRPC request: unauthenticated: ${error}`] : ['grpc', 0, ''];
    return [200, contentType.includes('json') ? '{}' : '', contentType || 'application/proto'];
  }
  if (p === '/lab/requests') {
    let log = '';
    try {
      log = fs.readFileSync(path.join(RUN, 'lab-requests.log'), 'utf8');
    } catch {
      // No request yet.
    }
    return [200, log];
  }
  if (p === '/') return [200, 'Pyroscope (lab stand-in)'];
  return [404, '404 page not found'];
}

function pyroscope() {
  const h2 = http2.createServer();
  h2.on('stream', async (stream, headers, _flags, rawHeaders) => {
    stream.on('error', () => {});
    // Go's HTTP/2 server resets a request without :authority (HAProxy sends Host as :authority).
    if (!headers[':authority'] && !headers.host) {
      stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
      return;
    }
    const method = headers[':method'];
    const url = new URL(headers[':path'] ?? '/', 'http://stand-in');
    noteRequest(`${method} ${headers[':path']} (h2)`);
    const body = await readAll(stream).catch(() => null);
    if (body === null) return;
    const [status, text, type] = await pyroscopeAnswer(
      method,
      url,
      String(headers['content-type'] ?? ''),
      body,
      headerValues(rawHeaders ?? [], 'x-scope-orgid')[0] ?? '',
    );
    if (status === 'grpc') return grpcAnswer(stream, text, type);
    if (stream.destroyed) return;
    stream.respond({ ':status': status, 'content-type': type ?? 'text/plain; charset=utf-8' });
    stream.end(method === 'HEAD' ? undefined : text);
  });
  const h1 = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    noteRequest(`${req.method} ${req.url}`);
    const body = await readAll(req).catch(() => Buffer.alloc(0));
    const [status, text, type] = await pyroscopeAnswer(
      req.method,
      url,
      String(req.headers['content-type'] ?? ''),
      body,
      headerValues(req.rawHeaders, 'x-scope-orgid')[0] ?? '',
    );
    if (status === 'grpc') {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('gRPC requires HTTP/2');
      return;
    }
    res.writeHead(status, { 'content-type': type ?? 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  // One port for both: a connection that opens with the HTTP/2 preface is HTTP/2.
  const PREFACE = 'PRI * HTTP/2.0';
  return net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('readable', function first() {
      const chunk = socket.read();
      if (chunk === null) {
        socket.once('readable', first);
        return;
      }
      socket.unshift(chunk);
      (chunk.toString('latin1', 0, 4) === PREFACE.slice(0, 4) ? h2 : h1).emit('connection', socket);
    });
  });
}

const server =
  role === 'pyroscope'
    ? pyroscope()
    : role === 'otlp-http'
      ? otlpHttp()
      : RECEIVERS[role]
        ? receiver(RECEIVERS[role])
        : null;
if (!server || !address || !Number.isInteger(port)) {
  log(
    `usage: protocols.mjs pyroscope|otlp-grpc|otlp-http|jaeger-grpc ADDRESS PORT (got ${process.argv.slice(2).join(' ')})`,
  );
  process.exit(2);
}
server.on('error', (error) => {
  const why =
    error.code === 'EADDRINUSE'
      ? 'address already in use'
      : error.code === 'EADDRNOTAVAIL'
        ? 'cannot assign requested address'
        : error.message;
  log(`level=error msg="listen tcp ${address}:${port}: bind: ${why}"`);
  process.exit(1);
});
server.listen(port, address, () => {
  fs.writeFileSync(path.join(RUN, `lab-pid-${role}`), `${process.pid}\n`);
});
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
