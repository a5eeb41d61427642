// The ports the rendered files name, looked up once in the manifest so a port changed there
// changes every file that mentions it.

import type { ComponentName } from '../stack/manifest.js';
import { component } from '../stack/manifest.js';

function portByPurpose(name: ComponentName, purpose: string): number {
  const found = component(name).ports.find((p) => p.purpose === purpose);
  if (!found) throw new Error(`manifest has no ${name} port for "${purpose}"`);
  return found.port;
}

export const PORTS = {
  pyroscope: portByPurpose('pyroscope', 'HTTP API, ingest and connect/gRPC'),
  tempoHttp: portByPurpose('tempo', 'HTTP API'),
  tempoOtlpGrpc: portByPurpose('tempo', 'OTLP gRPC receiver'),
  tempoJaegerGrpc: portByPurpose('tempo', 'Jaeger gRPC receiver'),
  minioS3: portByPurpose('minio', 'S3 API'),
  frontDoor: portByPurpose('haproxy', 'front door: profiles and traces from targets'),
} as const;
