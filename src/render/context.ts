// What the renderer needs to know about one installation, and the checks that make every value
// safe to write: each rule below exists because a component would otherwise misread the value.

import { HealError } from '../core/errors.js';
import type { FrontDoorTls } from '../tls/certificates.js';
import { component, port } from '../stack/manifest.js';
import { addressProblem } from './address.js';

export type FrontDoor = 'container' | 'external';

export interface RenderContext {
  /** Host addresses as the other tiers reach them: web reaches `app`, app reaches `db`. */
  hosts: { web: string; app: string; db: string };
  /** Port Grafana is published on, on the app host. */
  grafanaPort: number;
  buckets: { pyroscope: string; tempo: string };
  minio: { accessKey: string; secretKey: string };
  grafanaAdmin: { user: string; password: string };
  /** `container`: we run HAProxy on the web host; `external`: the operator's HAProxy includes a snippet. */
  frontDoor: FrontDoor;
  /** How long Pyroscope keeps profiles and Tempo traces, in whole hours. */
  retention: { profilesHours: number; tracesHours: number };
  /** Grafana and the MinIO console published on every address (else the host's loopback). */
  consolesPublished: boolean;
  /** The flow rules hold: ports are published on IPv4 only, where the rules apply. */
  restrictFlows: boolean;
  /** The door's TLS material, or null for a plain door (`frontDoor.tls: off`). */
  tls: FrontDoorTls | null;
  /** Tempo's OTLP HTTP receiver, published and behind the door's /v1/traces (`frontDoor.otlpHttp`). */
  otlpHttp: boolean;
  /**
   * The tenants the door lets in, each with its basic-auth password (`frontDoor.auth: tenants`);
   * null: no authentication, one anonymous tenant (`none`).
   */
  tenants: TenantCredentials[] | null;
}

export interface TenantCredentials {
  /** Its X-Scope-OrgID and its basic-auth user name. */
  name: string;
  password: string;
}

/** A context with the defaulted fields optional. */
export type RenderContextInput = Omit<
  RenderContext,
  | 'grafanaPort'
  | 'buckets'
  | 'frontDoor'
  | 'retention'
  | 'consolesPublished'
  | 'restrictFlows'
  | 'tls'
  | 'tenants'
  | 'otlpHttp'
> & {
  otlpHttp?: boolean;
  tls?: FrontDoorTls | null;
  tenants?: TenantCredentials[] | null;
  consolesPublished?: boolean;
  restrictFlows?: boolean;
  grafanaPort?: number;
  buckets?: Partial<RenderContext['buckets']>;
  frontDoor?: FrontDoor;
  retention?: RenderContext['retention'];
};

export const RENDER_DEFAULTS = {
  grafanaPort: port('grafana.http'),
  buckets: { pyroscope: 'pyroscope', tempo: 'tempo' },
  frontDoor: 'container',
  // The settings' defaults (retention.profiles 30d, retention.traces 14d), in hours.
  retention: { profilesHours: 30 * 24, tracesHours: 14 * 24 },
} as const satisfies Pick<RenderContext, 'grafanaPort' | 'buckets' | 'frontDoor' | 'retention'>;

/** Applies defaults and validates; throws one `render.context` error listing every problem. */
export function renderContext(input: RenderContextInput): RenderContext {
  const ctx: RenderContext = {
    hosts: { ...input.hosts },
    grafanaPort: input.grafanaPort ?? RENDER_DEFAULTS.grafanaPort,
    buckets: { ...RENDER_DEFAULTS.buckets, ...input.buckets },
    minio: { ...input.minio },
    grafanaAdmin: { ...input.grafanaAdmin },
    frontDoor: input.frontDoor ?? RENDER_DEFAULTS.frontDoor,
    retention: { ...(input.retention ?? RENDER_DEFAULTS.retention) },
    consolesPublished: input.consolesPublished ?? false,
    restrictFlows: input.restrictFlows ?? false,
    tls: input.tls ?? null,
    tenants: input.tenants ? input.tenants.map((t) => ({ ...t })) : null,
    otlpHttp: input.otlpHttp ?? false,
  };
  const problems = contextProblems(ctx);
  if (problems.length > 0) {
    throw new HealError({
      code: 'render.context',
      message: `cannot render the configuration: ${problems[0]}`,
      hint: 'correct the values named above in the configuration file or flags',
      details: problems,
    });
  }
  return ctx;
}

// Lone UTF-16 surrogates cannot be written as UTF-8.
const LONE_SURROGATE = /\p{Cs}/u;
// Cc is exactly C0 (U+0000-U+001F), DEL and C1 (U+007F-U+009F); newline and tab are allowed.
const CONTROL = /(?![\n\t])\p{Cc}/u;

/** C0/C1 control characters and DEL, except newline and tab. */
function hasControl(value: string): boolean {
  return CONTROL.test(value);
}
// Grafana expands ${VAR}, $__env{VAR} and $__file{PATH} in every setting, env overrides included,
// and offers no escape: such a password would silently become something else.
const GRAFANA_EXPANSION = /\$(?:__\w+)?\{[^}]+\}/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function contextProblems(ctx: RenderContext): string[] {
  const problems: string[] = [];
  for (const tier of ['web', 'app', 'db'] as const) {
    const problem = addressProblem(ctx.hosts[tier]);
    if (problem) problems.push(`hosts.${tier} ${JSON.stringify(ctx.hosts[tier])} ${problem}`);
  }

  const appPorts = [...component('pyroscope').ports, ...component('tempo').ports].map((p) => p.port);
  if (!Number.isInteger(ctx.grafanaPort) || ctx.grafanaPort < 1 || ctx.grafanaPort > 65535) {
    problems.push(`grafanaPort ${ctx.grafanaPort} is not a TCP port (1-65535)`);
  } else if (appPorts.includes(ctx.grafanaPort)) {
    problems.push(`grafanaPort ${ctx.grafanaPort} is already used on the app host by Pyroscope or Tempo`);
  }

  for (const name of ['pyroscope', 'tempo'] as const) {
    const bucket = ctx.buckets[name];
    if (!BUCKET.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
      problems.push(
        `buckets.${name} ${JSON.stringify(bucket)} is not an S3 bucket name (3-63 of a-z 0-9 . -, starting ` +
          `and ending alphanumeric)`,
      );
    }
  }
  if (ctx.buckets.pyroscope === ctx.buckets.tempo) {
    problems.push('buckets.pyroscope and buckets.tempo must differ: Pyroscope and Tempo each own their bucket');
  }

  // The access key travels inside SigV4's `Credential=KEY/date/...,` header: keep it to characters
  // that cannot end a field there (MinIO reserves `=` and `,` in access keys for the same reason).
  if (!/^[A-Za-z0-9._@+-]{3,128}$/.test(ctx.minio.accessKey)) {
    problems.push('minio.accessKey must be 3-128 characters of A-Z a-z 0-9 . _ @ + -');
  }
  problems.push(...secretProblems('minio.secretKey', ctx.minio.secretKey, { allowNewline: true }));

  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(ctx.grafanaAdmin.user)) {
    problems.push('grafanaAdmin.user must be 1-64 characters of A-Z a-z 0-9 . _ @ -');
  }
  const password = ctx.grafanaAdmin.password;
  problems.push(...secretProblems('grafanaAdmin.password', password, { allowNewline: false }));
  if (GRAFANA_EXPANSION.test(password)) {
    problems.push('grafanaAdmin.password must not contain ${...} or $__name{...}: Grafana would expand it');
  }
  problems.push(...tenantProblems(ctx.tenants));
  return problems;
}

/** Generated passwords are base64url; nothing else is needed in a user:password pair. */
const TENANT_PASSWORD = /^[A-Za-z0-9_-]{16,128}$/;
const TENANT = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function tenantProblems(tenants: TenantCredentials[] | null): string[] {
  if (tenants === null) return [];
  const problems: string[] = [];
  if (tenants.length === 0) problems.push('tenants names no tenant, but the front door authenticates');
  const seen = new Set<string>();
  for (const t of tenants) {
    if (!TENANT.test(t.name)) problems.push(`tenant ${JSON.stringify(t.name)} is not a tenant name`);
    else if (seen.has(t.name)) problems.push(`tenant ${t.name} is named twice`);
    seen.add(t.name);
    // Never the password itself in a message.
    if (!TENANT_PASSWORD.test(t.password))
      problems.push(`the password of tenant ${t.name} must be 16-128 characters of A-Z a-z 0-9 _ -`);
  }
  return problems;
}

function secretProblems(key: string, value: string, opts: { allowNewline: boolean }): string[] {
  const problems: string[] = [];
  // MinIO compares byte lengths; 8 is its minimum for the root password.
  if (Buffer.byteLength(value, 'utf8') < 8) problems.push(`${key} must be at least 8 bytes long`);
  // MinIO trims the secret files it reads and Grafana's entrypoint drops trailing newlines: an
  // edge space would be lost there but kept in the Pyroscope and Tempo configs.
  if (value.trim() !== value) problems.push(`${key} must not start or end with white space`);
  if (hasControl(value) || LONE_SURROGATE.test(value)) {
    problems.push(`${key} must not contain control characters or invalid Unicode`);
  }
  if (!opts.allowNewline && /[\n\t]/.test(value)) {
    problems.push(`${key} must not contain newlines or tabs: it is typed into a login form`);
  }
  return problems;
}
