// The real OpenTelemetry trace exporter over gRPC (@opentelemetry/exporter-trace-otlp-grpc), with
// the SDK's tracer provider, configured as an operator configures it: the endpoint URL (http:
// means no TLS) and a service name. Run on a lab target (node ... URL SERVICE): it ends one span,
// flushes, and prints the trace ID.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const [url, service] = process.argv.slice(2);
if (!url || !service) {
  console.error('usage: otel-grpc.mjs URL SERVICE');
  process.exit(2);
}
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': service }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
});
const span = provider.getTracer('heal-pyroscope-test').startSpan('real-exporter-span');
span.end();
await provider.forceFlush();
await provider.shutdown();
console.log(span.spanContext().traceId);
