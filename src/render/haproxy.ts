// The web tier's front door. `container`: a complete haproxy.cfg for our HAProxy container.
// `external`: only the heal_pyroscope_* sections, for an HAProxy the operator already runs, plus
// a wrapper holding the global settings so `haproxy -c` can check the snippet on its own.

import { component } from '../stack/manifest.js';
import { hostPort } from './address.js';
import type { ComponentRender } from './component-render.js';
import type { RenderContext } from './context.js';
import { PORTS } from './ports.js';
import type { RenderedFile } from './rendered-file.js';
import { containerOwner, PUBLIC_MODE, ROOT } from './rendered-file.js';
import type { TemplateValue } from './template.js';
import { fillTemplate, loadTemplate } from './template.js';

/** The image's CMD reads this path. */
export const HAPROXY_CONFIG_TARGET = '/usr/local/etc/haproxy/haproxy.cfg';
export const EXTERNAL_SNIPPET_PATH = 'haproxy/heal-pyroscope.cfg';
export const EXTERNAL_WRAPPER_PATH = 'haproxy/validate-wrapper.cfg';

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
 */
function haproxyValue(value: TemplateValue, name: string): string {
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
  return render('haproxy/front-door.cfg', {
    listen_port: PORTS.frontDoor,
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
    return { component: 'haproxy', files: [file], args: null, env: {} };
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
  ];
  return { component: 'haproxy', files, args: null, env: {} };
}
