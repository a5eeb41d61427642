// A real OpenTelemetry trace exporter with the SDK's tracer provider, configured only by the
// environment `agents otel` printed (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, ...): the
// exporter and the resource read it themselves. It ends one span, flushes, and prints the trace ID.
//   node otel.mjs grpc   @opentelemetry/exporter-trace-otlp-grpc: OTLP over gRPC (HTTP/2)
//   node otel.mjs http   @opentelemetry/exporter-trace-otlp-http: in Node, OTLP/JSON POSTed to
//                        OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, with OTEL_EXPORTER_OTLP_HEADERS,
//                        and for https OTEL_EXPORTER_OTLP_CERTIFICATE given to its agent as `ca`
import { detectResources, envDetector } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const EXPORTERS = {
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
  http: '@opentelemetry/exporter-trace-otlp-http',
};
const module = EXPORTERS[process.argv[2] ?? ''];
if (!module) {
  console.error(`usage: otel.mjs ${Object.keys(EXPORTERS).join('|')}`);
  process.exit(2);
}
const { OTLPTraceExporter } = await import(module);
const provider = new TracerProvider({
  resource: detectResources({ detectors: [envDetector] }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
const span = provider.getTracer('heal-pyroscope-test').startSpan('real-exporter-span');
span.end();
await provider.forceFlush();
await provider.shutdown();
console.log(span.spanContext().traceId);
