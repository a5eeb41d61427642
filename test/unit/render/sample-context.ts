// A render context built the way an operator's answers would build it, for the render tests.

import type { RenderContextInput } from '../../../src/render/context.js';

/** Every character YAML, shells and envsubst treat specially, plus non-ASCII and a newline. */
export const HOSTILE_SECRET = "p\"a:s #s$w\\o\nrd ${HOME} $$ \\/ 'q' {{x}} é 😀";

export function sampleInput(overrides: Partial<RenderContextInput> = {}): RenderContextInput {
  return {
    hosts: { web: '10.213.0.11', app: '10.213.0.12', db: '10.213.0.13' },
    minio: { accessKey: 'heal-admin', secretKey: 'minio-secret-123' },
    grafanaAdmin: { user: 'admin', password: 'grafana-pass-456' },
    ...overrides,
  };
}
