// The ports the rendered files name, looked up once in the manifest by id so a port changed there
// changes every file that mentions it.

import { port } from '../stack/manifest.js';

export const PORTS = {
  pyroscope: port('pyroscope.http'),
  tempoHttp: port('tempo.http'),
  tempoOtlpGrpc: port('tempo.otlp-grpc'),
  tempoOtlpHttp: port('tempo.otlp-http'),
  tempoJaegerGrpc: port('tempo.jaeger-grpc'),
  minioS3: port('minio.s3'),
  frontDoor: port('haproxy.front-door'),
} as const;
