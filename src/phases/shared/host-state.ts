// The hosts hold the truth: the credentials a stack runs with are in the files its containers
// mount (MinIO's root user and password, Grafana's admin password) and in Grafana's configuration
// (its admin user). A command run where the local state file is missing (a teammate's clone,
// another laptop, a CI job) reads them from there, through each host's engine (the archive API:
// no root on the host, no file read over SSH), says so, and writes its local copy only once the
// run succeeded.

import { extract } from 'tar-stream';
import { HealError, isHealError } from '../../core/errors.js';
import type { Host } from '../../hosts/host.js';
import type { Inventory } from '../../hosts/inventory.js';
import { GRAFANA_PASSWORD_TARGET } from '../../render/grafana.js';
import { MINIO_PASSWORD_TARGET, MINIO_USER_TARGET } from '../../render/minio.js';
import { TENANT_CREDENTIALS_PATH, TLS_CA_KEY_PATH, TLS_CA_PATH, TLS_CERTIFICATE_PATH } from '../../render/haproxy.js';
import { remotePath } from '../../plan/plan.js';
import { pemBlocks, type FrontDoorTls } from '../../tls/certificates.js';
import type { Engine } from '../../remote/index.js';
import type { Phase, PhaseIo } from '../../runner/phase.js';
import { component, containerName, LABELS, PRODUCT } from '../../stack/manifest.js';
import { loadState, saveState, type InstallState, type Secrets } from '../../state/state-file.js';

/** A credential file is a line; anything larger is not one of ours. */
const MAX_SECRET_BYTES = 4096;

const GRAFANA_USER_VARIABLE = 'GF_SECURITY_ADMIN_USER';

/** The one regular file of a `getArchive` answer for a file path, at most `max` bytes. */
export async function singleFile(tar: NodeJS.ReadableStream, what: string, max = MAX_SECRET_BYTES): Promise<string> {
  const reader = extract();
  const found: Buffer[] = [];
  let problem: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      if (found.length > 0 || problem) problem ??= 'holds more than one entry';
      else if (header.type !== 'file') problem = `is a ${header.type ?? 'special entry'}, not a file`;
      else if ((header.size ?? 0) > max) problem = `is ${header.size} bytes, more than a credential (${max})`;
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        if (!problem) chunks.push(Buffer.from(c as Uint8Array));
      });
      stream.on('end', () => {
        if (!problem) found.push(Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  tar.pipe(reader);
  await done;
  const [file] = found;
  if (problem || !file || found.length !== 1) throw new Error(`${what} ${problem ?? 'is missing from the archive'}`);
  return file.toString('utf8');
}

/** A file a container mounts, read through the engine. */
async function mountedFile(engine: Engine, container: string, path: string): Promise<string> {
  return singleFile(await engine.getArchive(container, path), `${path} in ${container}`);
}

/** Copying the state beside the config always works; a cause with its own next step (an engine to start) comes first. */
function unreadable(host: Host, why: string, cause?: unknown): HealError {
  const copy =
    'copy the .heal-pyroscope/ directory from the machine that installed the stack beside this config, ' +
    'or restore it from a backup';
  const first = isHealError(cause) ? cause.hint : undefined;
  return new HealError({
    code: 'state.hosts',
    message: `no local state, and the credentials cannot be read from ${host.name}: ${why}`,
    hint: first ? `${first}; or ${copy}` : copy,
  });
}

function causeOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The credentials the installed stack runs with, read from its containers; null when the stack is
 * not installed there (no MinIO or Grafana container of ours). Throws when it is but they cannot be read.
 */
export async function secretsFromHosts(hosts: Inventory): Promise<Secrets | null> {
  const db = hosts.forTier('db');
  const app = hosts.forTier('app');
  for (const host of [db, app]) {
    if (!host.connection) throw unreadable(host, host.connectError?.message ?? 'not connected');
  }
  const minio = containerName(component('minio'));
  const grafana = containerName(component('grafana'));
  const ours = async (host: Host, name: string) => {
    const found = await host.remote.engine.inspectContainer(name).catch((error: unknown) => {
      throw unreadable(host, causeOf(error), error);
    });
    return found && found.labels[LABELS.product] === PRODUCT ? found : undefined;
  };
  const [m, g] = await Promise.all([ours(db, minio), ours(app, grafana)]);
  if (!m && !g) return null;
  if (!m) throw unreadable(db, `${minio} is missing (run install with the state file)`);
  if (!g) throw unreadable(app, `${grafana} is missing (run install with the state file)`);
  const user = g.env.find((e) => e.startsWith(`${GRAFANA_USER_VARIABLE}=`))?.slice(GRAFANA_USER_VARIABLE.length + 1);
  if (!user) throw unreadable(app, `${grafana} has no ${GRAFANA_USER_VARIABLE}`);
  try {
    const [accessKey, secretKey, password] = await Promise.all([
      mountedFile(db.remote.engine, minio, MINIO_USER_TARGET),
      mountedFile(db.remote.engine, minio, MINIO_PASSWORD_TARGET),
      mountedFile(app.remote.engine, grafana, GRAFANA_PASSWORD_TARGET),
    ]);
    const secrets: Secrets = {
      minioAccessKey: accessKey,
      minioSecretKey: secretKey,
      grafanaAdminUser: user,
      grafanaAdminPassword: password,
    };
    const web = hosts.forTier('web');
    const tls = await frontDoorTlsFromHost(web);
    const tenants = await tenantPasswordsFromHost(web);
    return {
      ...secrets,
      ...(tls ? { frontDoorTls: tls } : {}),
      ...(tenants ? { tenantPasswords: tenants } : {}),
    };
  } catch (error) {
    if (isHealError(error) && error.code === 'state.hosts') throw error;
    throw unreadable(db === app ? db : app, causeOf(error), error);
  }
}

/**
 * The front door's CA and certificate as the web host keeps them, read as root (the keys are
 * root's, or the door's user's); undefined when the host has none (a plain door). When the CA's
 * certificate is there but the rest cannot be read, this throws: a new CA would leave every agent
 * that trusts the old one refusing the door.
 */
export async function frontDoorTlsFromHost(web: Host): Promise<FrontDoorTls | undefined> {
  if (!web.connection) throw unreadable(web, web.connectError?.message ?? 'not connected');
  const path = (p: string) => remotePath({ tier: 'web', path: p });
  const read = async (p: string): Promise<string> => {
    const r = await web.remote.root.exec(['cat', '--', path(p)], { timeoutMs: 15_000 });
    if (r.code !== 0)
      throw unreadable(web, `${path(p)} cannot be read: ${r.stderr.trim() || `exit ${String(r.code)}`}`);
    if (Buffer.byteLength(r.stdout) > 4 * MAX_SECRET_BYTES) throw unreadable(web, `${path(p)} is too large to be ours`);
    return r.stdout;
  };
  const exists = async (p: string) =>
    (await web.remote.exec(['test', '-e', path(p)], { timeoutMs: 15_000 })).code === 0;
  if (!(await exists(TLS_CA_PATH))) return undefined;
  // No CA key: the CA is the operator's (frontDoor.tls: files).
  const ownCa = await exists(TLS_CA_KEY_PATH);
  const [caCertificate, bundle, caKey] = await Promise.all([
    read(TLS_CA_PATH),
    read(TLS_CERTIFICATE_PATH),
    ownCa ? read(TLS_CA_KEY_PATH) : Promise.resolve(undefined),
  ]);
  // As the door reads it: the certificate and its intermediates, the CA (when ours), then the key.
  const blocks = pemBlocks(bundle);
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.pem);
  const key = blocks.find((b) => b.label.endsWith('PRIVATE KEY'))?.pem;
  if (certs.length === 0 || !key) throw unreadable(web, `${path(TLS_CERTIFICATE_PATH)} lacks a certificate or its key`);
  const chain = certs.filter((c) => c !== caCertificate);
  return { caCertificate, ...(caKey ? { caKey } : {}), certificate: chain.join(''), key };
}

/**
 * The tenants' passwords as the web host keeps them (TENANT_CREDENTIALS_PATH, root's), read as
 * root; undefined when the door has none (`frontDoor.auth: none`, or a stack from before tenants).
 * A file that is there but cannot be read or is not ours throws: new passwords would lock out
 * every agent sending with the old ones.
 */
export async function tenantPasswordsFromHost(web: Host): Promise<Record<string, string> | undefined> {
  if (!web.connection) throw unreadable(web, web.connectError?.message ?? 'not connected');
  const file = remotePath({ tier: 'web', path: TENANT_CREDENTIALS_PATH });
  if ((await web.remote.exec(['test', '-e', file], { timeoutMs: 15_000 })).code !== 0) return undefined;
  const r = await web.remote.root.exec(['cat', '--', file], { timeoutMs: 15_000 });
  if (r.code !== 0) throw unreadable(web, `${file} cannot be read: ${r.stderr.trim() || `exit ${String(r.code)}`}`);
  const parsed = parseTenantCredentials(r.stdout);
  if (!parsed) throw unreadable(web, `${file} is not a tenants file heal-pyroscope wrote`);
  return parsed;
}

/** `{"tenants": {NAME: PASSWORD}}` with names and passwords as install makes them; null otherwise. */
export function parseTenantCredentials(text: string): Record<string, string> | null {
  if (Buffer.byteLength(text) > 64 * MAX_SECRET_BYTES) return null;
  try {
    const doc = JSON.parse(text) as { tenants?: unknown };
    const tenants = doc.tenants;
    if (typeof tenants !== 'object' || tenants === null || Array.isArray(tenants)) return null;
    const out: Record<string, string> = {};
    for (const [name, password] of Object.entries(tenants)) {
      if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(name) || typeof password !== 'string') return null;
      if (!/^[A-Za-z0-9_-]{16,128}$/.test(password)) return null;
      out[name] = password;
    }
    return out;
  } catch {
    return null;
  }
}

/** Where a command's state came from: the local file, or the hosts (written locally after success). */
export interface FoundState {
  state: InstallState;
  source: 'local' | 'hosts';
}

/** The one line a command says when it read the hosts instead of a local file. */
export function fromHostsNote(statePath: string): string {
  return `no local state at ${statePath}: the credentials were read from the hosts; the local copy is written when this run succeeds`;
}

/**
 * The local state, else one made from the hosts (its local copy written when the run succeeds),
 * else undefined (nothing installed there).
 */
export async function localOrHostState(
  statePath: string,
  environment: string,
  hosts: Inventory,
  io: Pick<PhaseIo, 'journal'>,
): Promise<FoundState | undefined> {
  const local = await loadState(statePath);
  if (local) return { state: local, source: 'local' };
  const secrets = await secretsFromHosts(hosts);
  if (!secrets) return undefined;
  const state: InstallState = { version: 1, environment, secrets };
  io.journal.onSuccess(`write the local state ${statePath}`, async () => {
    // Another run may have written it meanwhile: never replace a state file.
    if (!(await loadState(statePath))) await saveState(statePath, state);
  });
  return { state, source: 'hosts' };
}

/** The local state or the hosts'; neither is a failure with `code` and `hint`. */
export async function requiredState(
  ctx: Pick<HostStateContext, 'statePath' | 'topology' | 'hosts'>,
  io: Pick<PhaseIo, 'journal'>,
  none: { code: string; hint: string },
): Promise<FoundState> {
  const found = await localOrHostState(ctx.statePath, ctx.topology.environment, ctx.hosts, io);
  if (found) return found;
  throw new HealError({
    ...none,
    message: `no local state at ${ctx.statePath}, and no stack of ours on the hosts to read the credentials from`,
  });
}

/** What the phase below reads and fills. */
export interface HostStateContext {
  statePath: string;
  topology: { environment: string };
  hosts: Inventory;
  found?: FoundState;
}

/** Reads the credentials from the hosts when there is no local state; fails when there are none. */
export const hostStatePhase: Phase<HostStateContext> = {
  id: 'host-state',
  title: 'Read the credentials from the hosts',
  readOnly: true,
  async run(ctx, io) {
    const found = await requiredState(ctx, io, {
      code: 'state.none',
      hint: 'install first, or run this beside the config the stack was installed with',
    });
    ctx.found = found;
    return found.source === 'hosts' ? fromHostsNote(ctx.statePath) : `read from ${ctx.statePath}`;
  },
};
