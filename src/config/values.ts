// The kinds of value a setting holds, each with the one rule that decides whether a value is good
// and the sentence that says why not. Flags, prompts and the config schema all check with these.
// Free of zod so that parsing flags (and `--help`) does not load the schema library.
import { group } from '../core/defined.js';
import { isValidHost, USER_NAME } from './hostname.js';
import { pinnedImageProblem } from '../stack/image-ref.js';

export type Read<T> = { value: T } | { problem: string };

export interface ValueKind<T> {
  /** The YAML type the config file must give it. */
  type: 'string' | 'number' | 'boolean';
  /** What is wrong with a value of the right type, or null. */
  problem(value: T): string | null;
  /** The value a flag's or an answer's text stands for (numbers are read from their digits). */
  read(text: string): Read<T>;
}

const quoted = (value: unknown): string => JSON.stringify(value);

function text(problem: (value: string) => string | null): ValueKind<string> {
  return {
    type: 'string',
    problem,
    read: (t) => {
      const p = problem(t);
      return p === null ? { value: t } : { problem: p };
    },
  };
}

function wholeNumber(range: [number, number], what: string, wrongType: (v: number) => string): ValueKind<number> {
  const outOfRange = (v: unknown) =>
    `${typeof v === 'string' ? quoted(v) : String(v)} is not ${what} (${range[0]}-${range[1]})`;
  return {
    type: 'number',
    problem: (v) => (!Number.isInteger(v) ? wrongType(v) : v < range[0] || v > range[1] ? outOfRange(v) : null),
    read: (t) => {
      const n = Number(t);
      return /^\d+$/.test(t) && n >= range[0] && n <= range[1] ? { value: n } : { problem: outOfRange(t) };
    },
  };
}

export const HOST = text((v) => (isValidHost(v) ? null : `${quoted(v)} is not a valid hostname or IP address`));

export const USER = text((v) => (USER_NAME.test(v) ? null : `${quoted(v)} is not a valid user name`));

export const PORT = wholeNumber([1, 65535], 'a port', (v) => `${v} is not a whole number`);

export const LOCAL_PATH = text((v) => (v.length > 0 ? null : 'must not be empty'));

export const ABSOLUTE_PATH = text((v) => (v.startsWith('/') ? null : `${quoted(v)} must be an absolute path`));

export const ENVIRONMENT_NAME = text((v) =>
  v.length === 0 ? 'must not be empty' : v.length > 64 ? `${quoted(v)} is longer than 64 characters` : null,
);

/** `host`, `user@host` or `user@host:port`; several separated by commas (as ProxyJump: the first is reached first). */
export const JUMP_HOST = text((v) => {
  const hop = (h: string) => {
    const m = /^(?:([^@\s]+)@)?([^@\s:,]+|\[[^\]]+\])(?::(\d+))?$/.exec(h);
    return (
      m !== null && isValidHost(group(m, 2).replace(/^\[|\]$/g, '')) && (m[1] === undefined || USER_NAME.test(m[1]))
    );
  };
  const ok = v.split(',').every((h) => hop(h.trim()));
  return ok
    ? null
    : `${quoted(v)} is not a jump host (use host, user@host or user@host:port; a chain separated by commas)`;
});

export const REGISTRY_PREFIX = text((v) =>
  /^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*\/?$/.test(v)
    ? null
    : `${quoted(v)} is not a registry prefix (e.g. registry.internal:5000/mirror)`,
);

/** An image reference pinned by tag or digest (never `latest`). */
export const PINNED_IMAGE = text((v) => {
  const problem = pinnedImageProblem(v);
  return problem === null ? null : `${quoted(v)} ${problem}`;
});

/** Docker's size notation for log files: `10m`, `512k`, `1g`. */
export const LOG_SIZE = text((v) =>
  /^[1-9]\d*[kmg]$/.test(v) ? null : `${quoted(v)} is not a log size (e.g. 10m, 512k, 1g)`,
);

export const LOG_FILES = wholeNumber(
  [1, 100],
  'a number of log files',
  (v) => `${v} is not a number of log files (1-100)`,
);

/** A retention: whole hours, days or weeks (`720h`, `30d`, `2w`), rendered in hours. */
export const RETENTION = text((v) =>
  /^[1-9]\d{0,5}[hdw]$/.test(v) ? null : `${quoted(v)} is not a retention (e.g. 720h, 30d or 2w)`,
);

/** A retention in hours: what both Pyroscope's and Tempo's duration parsers read. */
export function retentionHours(value: string): number {
  const n = Number(value.slice(0, -1));
  return value.endsWith('w') ? n * 24 * 7 : value.endsWith('d') ? n * 24 : n;
}

/** A memory limit: a number with a unit (`512m`, `2g`), or `none` for no limit. */
export const MEMORY_LIMIT = text((v) =>
  /^(?:[1-9]\d*[mg]|none)$/.test(v) ? null : `${quoted(v)} is not a memory limit (e.g. 512m, 2g, or none)`,
);

/** How the front door speaks TLS: a certificate heal-pyroscope makes, the operator's, or none. */
export const FRONT_DOOR_TLS_MODES = ['generated', 'files', 'off'] as const;
export type FrontDoorTlsMode = (typeof FRONT_DOOR_TLS_MODES)[number];
export const FRONT_DOOR_TLS = text((v) =>
  (FRONT_DOOR_TLS_MODES as readonly string[]).includes(v)
    ? null
    : `${quoted(v)} is not a TLS mode (${FRONT_DOOR_TLS_MODES.join(' or ')})`,
);

export const FRONT_DOOR_AUTH_MODES = ['tenants', 'none'] as const;
export type FrontDoorAuthMode = (typeof FRONT_DOOR_AUTH_MODES)[number];
export const FRONT_DOOR_AUTH = text((v) =>
  (FRONT_DOOR_AUTH_MODES as readonly string[]).includes(v)
    ? null
    : `${quoted(v)} is not an authentication mode (${FRONT_DOOR_AUTH_MODES.join(' or ')})`,
);

/**
 * A tenant's name: its X-Scope-OrgID, its basic-auth user name and part of its Grafana data
 * sources' uids. Narrower than what Pyroscope and Tempo accept (dskit's tenant.ValidTenantID), so
 * the same word is safe in every one of those places.
 */
export const TENANT_NAME = text((v) =>
  /^[a-z0-9][a-z0-9_-]{0,39}$/.test(v)
    ? null
    : `${quoted(v)} is not a tenant name (1-40 of a-z 0-9 _ -, starting with a letter or digit)`,
);

export const SWITCH: ValueKind<boolean> = {
  type: 'boolean',
  problem: () => null,
  read: (t) =>
    t === 'true' || t === 'false' ? { value: t === 'true' } : { problem: `${quoted(t)} is not true or false` },
};

export const REGULAR_EXPRESSION = text((v) => {
  try {
    new RegExp(v, 'i');
    return null;
  } catch {
    return `${quoted(v)} is not a valid regular expression`;
  }
});

export const VARIABLE_NAME = text((v) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? null : `${quoted(v)} is not an environment variable name`,
);

/** An IPv4 address or network (`10.0.4.7`, `10.0.4.0/24`): a source the flow rules let in. */
export const IPV4_SOURCE = text((v) => {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?$/.exec(v);
  const octets = m?.[1]?.split('.').map(Number) ?? [];
  const prefix = m?.[2] === undefined ? 32 : Number(m[2]);
  if (!m || octets.some((o) => o > 255) || prefix > 32)
    return `${quoted(v)} is not an IPv4 address or network (e.g. 10.0.4.7 or 10.0.4.0/24)`;
  const network = ipv4Network(octets, prefix);
  // iptables prints a network by its first address: one written otherwise would read back as drift.
  return network === m[1] ? null : `${quoted(v)} has host bits set: write ${network}/${prefix}`;
});

function ipv4Network(octets: number[], prefix: number): string {
  const value = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(value / size) * size;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
}

export const NON_EMPTY = text((v) => (v.length > 0 ? null : 'must not be empty'));

/** Several values in one text: separated by commas or white space. */
export function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter((v) => v !== '');
}
