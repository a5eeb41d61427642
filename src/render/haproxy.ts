// The web tier's front door. `container`: a complete haproxy.cfg for our HAProxy container.
// `external`: only the heal_pyroscope_* sections, for an HAProxy the operator already runs, plus
// a wrapper holding the global settings so `haproxy -c` can check the snippet on its own.

import { createHash } from 'node:crypto';
import { tierDir } from '../core/host-paths.js';
import { component } from '../stack/manifest.js';
import { hostPort } from './address.js';
import type { ComponentRender } from './component-render.js';
import type { RenderContext, TenantCredentials } from './context.js';
import { PORTS } from './ports.js';
import type { RenderedFile } from './rendered-file.js';
import { containerOwner, PUBLIC_MODE, ROOT, SECRET_MODE } from './rendered-file.js';
import type { TemplateValue } from './template.js';
import { fillTemplate, loadTemplate } from './template.js';

/** The image's CMD reads this path. */
export const HAPROXY_CONFIG_TARGET = '/usr/local/etc/haproxy/haproxy.cfg';
export const EXTERNAL_SNIPPET_PATH = 'haproxy/heal-pyroscope.cfg';
export const EXTERNAL_WRAPPER_PATH = 'haproxy/validate-wrapper.cfg';

/** The door's certificate, chain and key in one file, as HAProxy's `crt` reads it. */
export const TLS_CERTIFICATE_PATH = 'haproxy/tls/front-door.pem';
/** The CA's certificate: what agents trust. Mounted too, so the hosts can tell it through the engine. */
export const TLS_CA_PATH = 'haproxy/tls/ca.pem';
/** The CA's key: signs the next certificate. Root's alone, mounted in no container. */
export const TLS_CA_KEY_PATH = 'haproxy/tls/ca-key.pem';
export const TLS_CERTIFICATE_TARGET = '/usr/local/etc/haproxy/tls/front-door.pem';
/** Where an external HAProxy's bind reads the certificate: the file as install writes it on the web host. */
export const EXTERNAL_CERTIFICATE_FILE = `${tierDir('web')}/${TLS_CERTIFICATE_PATH}`;
export const TLS_CA_TARGET = '/usr/local/etc/haproxy/tls/ca.pem';

/** The door's tenant map: SHA-256 of each tenant's `Basic ...` header value, and the tenant. */
export const TENANTS_MAP_PATH = 'haproxy/auth/tenants.map';
export const TENANTS_MAP_TARGET = '/usr/local/etc/haproxy/auth/tenants.map';
/** Where an external HAProxy reads the map: the file as install writes it on the web host. */
export const EXTERNAL_TENANTS_MAP_FILE = `${tierDir('web')}/${TENANTS_MAP_PATH}`;
/**
 * The tenants' passwords, so that every operator's `agents` can print them (the hosts hold the
 * truth): root's alone, mounted in no container.
 */
export const TENANT_CREDENTIALS_PATH = 'haproxy/auth/tenants.json';

/** What HAProxy answers, with a 401, to an ingest request without known credentials. */
export const FRONT_DOOR_UNAUTHORIZED = 'heal-pyroscope front door: credentials of a tenant are required';

/** The `Authorization` header value an agent sends for `tenant` (HTTP basic auth). */
export function basicAuthorization(tenant: TenantCredentials): string {
  return `Basic ${Buffer.from(`${tenant.name}:${tenant.password}`).toString('base64')}`;
}

/** The map's key for `tenant`: what HAProxy computes with `req.fhdr(authorization),sha2(256),hex,lower`. */
export function tenantMapKey(tenant: TenantCredentials): string {
  return createHash('sha256').update(basicAuthorization(tenant)).digest('hex');
}

/** The tenant map's content (one `KEY TENANT` line each). */
export function tenantsMap(tenants: readonly TenantCredentials[]): string {
  return [
    '# heal-pyroscope front door tenants, written by heal-pyroscope: SHA-256 of the Authorization',
    '# header value, then the tenant (X-Scope-OrgID). Do not edit: the next install rewrites it.',
    ...tenants.map((t) => `${tenantMapKey(t)} ${t.name}`),
    '',
  ].join('\n');
}

/** The tenants' credentials as the web host keeps them (TENANT_CREDENTIALS_PATH). */
export function tenantCredentialsFile(tenants: readonly TenantCredentials[]): string {
  return `${JSON.stringify({ tenants: Object.fromEntries(tenants.map((t) => [t.name, t.password])) }, null, 2)}\n`;
}

/**
 * The front door's body limit: 4 times what Pyroscope 1.14.0 accepts per profile (4 MiB
 * uncompressed, `validation.max-profile-size-bytes`) and Tempo's gRPC receivers per message (4 MiB).
 */
export const FRONT_DOOR_MAX_BODY_MIB = 16;

/** What HAProxy answers, with a 404, to every path the front door does not forward. */
export const FRONT_DOOR_REFUSAL = 'heal-pyroscope front door: only ingest paths are forwarded';

/** HAProxy words end at white space and `#` starts a comment: slots take single plain words. */
function haproxyWord(value: TemplateValue, name: string): string {
  const text = String(value);
  if (!/^[A-Za-z0-9._:/[\]-]+$/.test(text)) {
    throw new Error(`HAProxy slot ${name} cannot hold ${JSON.stringify(text)}`);
  }
  return text;
}

/**
 * Slots named `*_text` hold prose, written single-quoted: HAProxy takes everything up to the next
 * single quote literally (no escapes, no environment expansion), so only a quote cannot be inside.
 * Slots named `*_fragment` hold a piece of our own templates, already filled and checked slot by
 * slot: written as they are.
 */
function haproxyValue(value: TemplateValue, name: string): string {
  if (name.endsWith('_fragment')) return String(value);
  if (!name.endsWith('_text')) return haproxyWord(value, name);
  const text = String(value);
  if (!/^[ -~]+$/.test(text) || text.includes("'")) {
    throw new Error(`HAProxy slot ${name} cannot hold ${JSON.stringify(text)}`);
  }
  return `'${text}'`;
}

function render(template: string, values: Record<string, TemplateValue> = {}): string {
  return fillTemplate(template, loadTemplate(template), values, haproxyValue);
}

/** The frontend and backends, shared by both variants. */
function frontDoorSections(ctx: RenderContext): string {
  const app = ctx.hosts.app;
  const pyroscope = hostPort(app, PORTS.pyroscope);
  // The container reads its mount; an external HAProxy reads the file where install wrote it.
  const certificate = ctx.frontDoor === 'container' ? TLS_CERTIFICATE_TARGET : EXTERNAL_CERTIFICATE_FILE;
  const bind =
    ctx.tls === null
      ? render('haproxy/bind-plain.cfg', { listen_port: PORTS.frontDoor })
      : render('haproxy/bind-tls.cfg', { listen_port: PORTS.frontDoor, certificate_path: certificate });
  const auth =
    ctx.tenants === null
      ? render('haproxy/auth-none.cfg')
      : render('haproxy/auth-tenants.cfg', {
          tenants_map: ctx.frontDoor === 'container' ? TENANTS_MAP_TARGET : EXTERNAL_TENANTS_MAP_FILE,
          unauthorized_text: FRONT_DOOR_UNAUTHORIZED,
        });
  const otlpHttp = ctx.otlpHttp;
  return render('haproxy/front-door.cfg', {
    bind_fragment: bind,
    auth_fragment: auth,
    otlp_http_acl_fragment: otlpHttp ? render('haproxy/otlp-http-acl.cfg') : '',
    otlp_http_unless_fragment: otlpHttp ? ' || heal_pyroscope_otlp_http_traces' : '',
    otlp_http_route_fragment: otlpHttp
      ? '    use_backend heal_pyroscope_tempo_otlp_http if heal_pyroscope_otlp_http_traces\n'
      : '',
    otlp_http_backend_fragment: otlpHttp
      ? render('haproxy/otlp-http-backend.cfg', { tempo_otlp_http_server: hostPort(app, PORTS.tempoOtlpHttp) })
      : '',
    health_path: component('haproxy').health.path,
    refusal_text: FRONT_DOOR_REFUSAL,
    max_body_mib: FRONT_DOOR_MAX_BODY_MIB,
    max_body_bytes: FRONT_DOOR_MAX_BODY_MIB * 1024 * 1024,
    tempo_otlp_server: hostPort(app, PORTS.tempoOtlpGrpc),
    tempo_jaeger_server: hostPort(app, PORTS.tempoJaegerGrpc),
    pyroscope_server: pyroscope,
    pyroscope_ready_path: component('pyroscope').health.path,
    // The address HAProxy dials, as the :authority of its HTTP/2 health check.
    pyroscope_authority: pyroscope,
  });
}

/** The door's TLS files: the certificate with its key (the door's user reads it), the CA, the CA key (root's). */
function tlsFiles(ctx: RenderContext): RenderedFile[] {
  if (ctx.tls === null) return [];
  const container = ctx.frontDoor === 'container';
  const base = { tier: 'web' as const, component: 'haproxy' as const };
  return [
    {
      ...base,
      path: TLS_CERTIFICATE_PATH,
      // The leaf, then the CA (the chain an agent checks), then the key.
      content: `${ctx.tls.certificate.trimEnd()}\n${ctx.tls.caCertificate.trimEnd()}\n${ctx.tls.key.trimEnd()}\n`,
      mode: SECRET_MODE,
      secret: true,
      owner: container ? containerOwner('haproxy') : ROOT,
      mountTarget: container ? TLS_CERTIFICATE_TARGET : null,
    },
    {
      ...base,
      path: TLS_CA_PATH,
      content: ctx.tls.caCertificate,
      mode: PUBLIC_MODE,
      secret: false,
      owner: ROOT,
      mountTarget: container ? TLS_CA_TARGET : null,
    },
    // Only a CA heal-pyroscope made has its key here: the operator's stays theirs.
    ...(ctx.tls.caKey === undefined
      ? []
      : [
          {
            ...base,
            path: TLS_CA_KEY_PATH,
            content: ctx.tls.caKey,
            mode: SECRET_MODE,
            secret: true,
            owner: ROOT,
            mountTarget: null,
          },
        ]),
  ];
}

/** The tenant map the door reads (the door's user's) and the passwords behind it (root's, not mounted). */
function authFiles(ctx: RenderContext): RenderedFile[] {
  if (ctx.tenants === null) return [];
  const container = ctx.frontDoor === 'container';
  const base = { tier: 'web' as const, component: 'haproxy' as const, mode: SECRET_MODE, secret: true };
  return [
    {
      ...base,
      path: TENANTS_MAP_PATH,
      content: tenantsMap(ctx.tenants),
      owner: container ? containerOwner('haproxy') : ROOT,
      mountTarget: container ? TENANTS_MAP_TARGET : null,
    },
    {
      ...base,
      path: TENANT_CREDENTIALS_PATH,
      content: tenantCredentialsFile(ctx.tenants),
      owner: ROOT,
      mountTarget: null,
    },
  ];
}

export function renderHaproxy(ctx: RenderContext): ComponentRender {
  const sections = frontDoorSections(ctx);
  const base = { tier: 'web' as const, component: 'haproxy' as const, mode: PUBLIC_MODE, secret: false };

  if (ctx.frontDoor === 'container') {
    const file: RenderedFile = {
      ...base,
      path: 'haproxy/haproxy.cfg',
      content: render('haproxy/global.cfg') + sections,
      owner: containerOwner('haproxy'),
      mountTarget: HAPROXY_CONFIG_TARGET,
    };
    return { component: 'haproxy', files: [file, ...tlsFiles(ctx), ...authFiles(ctx)], args: null, env: {} };
  }

  // The operator's HAProxy, not a container of ours, reads these: owned by root, mounted nowhere.
  const files: RenderedFile[] = [
    {
      ...base,
      path: EXTERNAL_SNIPPET_PATH,
      content: render('haproxy/external-header.cfg') + sections,
      owner: ROOT,
      mountTarget: null,
    },
    {
      ...base,
      path: EXTERNAL_WRAPPER_PATH,
      content: render('haproxy/validate-wrapper.cfg'),
      owner: ROOT,
      mountTarget: null,
    },
    ...tlsFiles(ctx),
    ...authFiles(ctx),
  ];
  return { component: 'haproxy', files, args: null, env: {} };
}
