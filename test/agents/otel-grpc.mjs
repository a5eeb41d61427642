// The real OpenTelemetry trace exporter over gRPC (@opentelemetry/exporter-trace-otlp-grpc) with
// the SDK's tracer provider, configured only by the environment `agents otel` printed
// (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, ...): the exporter and the resource read it
// themselves. It ends one span, flushes, and prints the trace ID.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const provider = new TracerProvider({
  resource: detectResources({ detectors: [envDetector] }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
const span = provider.getTracer('heal-pyroscope-test').startSpan('real-exporter-span');
span.end();
await provider.forceFlush();
await provider.shutdown();
console.log(span.spanContext().traceId);
