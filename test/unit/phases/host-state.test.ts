import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { secretsFromHosts, singleFile } from '../../../src/phases/shared/host-state.js';
import { createOptions } from '../../../src/plan/container-spec.js';
import { desiredStack } from '../../../src/plan/desired-stack.js';
import { GRAFANA_PASSWORD_TARGET } from '../../../src/render/grafana.js';
import { MINIO_PASSWORD_TARGET, MINIO_USER_TARGET } from '../../../src/render/minio.js';
import { generateSecrets, withTenantPasswords, type Secrets } from '../../../src/state/state-file.js';
import { tierDir } from '../../../src/core/host-paths.js';
import {
  TENANT_CREDENTIALS_PATH,
  TLS_CA_KEY_PATH,
  TLS_CA_PATH,
  TLS_CERTIFICATE_PATH,
} from '../../../src/render/haproxy.js';
import { frontDoorTlsFor } from '../../../src/tls/certificates.js';
import { ADDRESSES, connectedInventory, fakeStack, topology } from '../support/fake-stack.js';
import { addEntries, type TarEntry } from '../support/tar.js';

/** A tar of `entries`, as the engine's archive API answers for a path. */
async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const tar = pack();
  await addEntries(tar, entries);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const CA = `${tierDir('web')}/${TLS_CA_PATH}`;
const CA_KEY = `${tierDir('web')}/${TLS_CA_KEY_PATH}`;
const CERTIFICATE = `${tierDir('web')}/${TLS_CERTIFICATE_PATH}`;

/** MinIO's and Grafana's containers with their credential files, as install leaves them. */
async function installMinioAndGrafana(stack: ReturnType<typeof fakeStack>, secrets: Secrets): Promise<void> {
  const { specs } = desiredStack(topology(), ADDRESSES, withTenantPasswords(secrets, ['default']), 'container');
  for (const spec of specs.filter((s) => s.component === 'minio' || s.component === 'grafana')) {
    const engine = stack[spec.tier].engine;
    engine.addImage(spec.image);
    await engine.createContainer(createOptions(spec, '0.1.0'));
  }
  const files: Array<[typeof stack.db, string, string]> = [
    [stack.db, `heal-pyroscope-minio:${MINIO_USER_TARGET}`, secrets.minioAccessKey],
    [stack.db, `heal-pyroscope-minio:${MINIO_PASSWORD_TARGET}`, secrets.minioSecretKey],
    [stack.app, `heal-pyroscope-grafana:${GRAFANA_PASSWORD_TARGET}`, secrets.grafanaAdminPassword],
  ];
  for (const [host, key, body] of files) host.engine.archives.set(key, await tarOf([{ header: { name: 'f' }, body }]));
}

const read = async (entries: TarEntry[]) => singleFile(Readable.from([await tarOf(entries)]), 'the file');

describe('credentials read from the hosts', () => {
  it('takes exactly one small regular file from an archive, and nothing else', async () => {
    expect(await read([{ header: { name: 'minio-root-user', mode: 0o600 }, body: 'heal-abc' }])).toBe('heal-abc');
    await expect(read([{ header: { name: 'x', type: 'symlink', linkname: '/etc/shadow' } }])).rejects.toThrow(
      /is a symlink, not a file/,
    );
    await expect(read([{ header: { name: 'x', type: 'directory' } }])).rejects.toThrow(/is a directory/);
    await expect(
      read([
        { header: { name: 'a' }, body: 'one' },
        { header: { name: 'b' }, body: 'two' },
      ]),
    ).rejects.toThrow(/more than one entry/);
    await expect(read([{ header: { name: 'big' }, body: 'x'.repeat(5000) }])).rejects.toThrow(/more than a credential/);
    await expect(read([])).rejects.toThrow(/missing from the archive/);
  });

  it("reads MinIO's and Grafana's logins from their containers; none when nothing is installed", async () => {
    const stack = fakeStack();
    const hosts = await connectedInventory(stack);
    // A plain door: the web host keeps no CA (the fake's default).
    expect(await secretsFromHosts(hosts)).toBeNull();
    const secrets = generateSecrets();
    const { specs } = desiredStack(topology(), ADDRESSES, withTenantPasswords(secrets, ['default']), 'container');
    for (const spec of specs.filter((s) => s.component === 'minio' || s.component === 'grafana')) {
      const engine = stack[spec.tier].engine;
      engine.addImage(spec.image);
      await engine.createContainer(createOptions(spec, '0.1.0'));
    }
    // One of MinIO's files missing: the credentials cannot be read, and that is said.
    stack.db.engine.archives.set(
      `heal-pyroscope-minio:${MINIO_USER_TARGET}`,
      await tarOf([{ header: { name: 'u' }, body: secrets.minioAccessKey }]),
    );
    await expect(secretsFromHosts(hosts)).rejects.toThrow(/cannot be read from/);
    stack.db.engine.archives.set(
      `heal-pyroscope-minio:${MINIO_PASSWORD_TARGET}`,
      await tarOf([{ header: { name: 'p' }, body: secrets.minioSecretKey }]),
    );
    stack.app.engine.archives.set(
      `heal-pyroscope-grafana:${GRAFANA_PASSWORD_TARGET}`,
      await tarOf([{ header: { name: 'g' }, body: secrets.grafanaAdminPassword }]),
    );
    expect(await secretsFromHosts(hosts)).toEqual(secrets);
  });

  it("reads the door's CA, certificate and keys from the web host as root, and refuses a part missing", async () => {
    const stack = fakeStack();
    const hosts = await connectedInventory(stack);
    const secrets = generateSecrets();
    await installMinioAndGrafana(stack, secrets);
    const { tls } = frontDoorTlsFor(undefined, 'lab', ['web-01', '10.0.0.11'], new Date());
    stack.web.onExec(`test -e ${CA}`, { code: 0 });
    stack.web.onExec(`cat -- ${CA}`, { stdout: tls.caCertificate });
    stack.web.onExec(`cat -- ${CA_KEY}`, { stdout: tls.caKey });
    // As HAProxy reads it: the certificate, the CA, then the key.
    stack.web.onExec(`cat -- ${CERTIFICATE}`, { stdout: `${tls.certificate}${tls.caCertificate}${tls.key}` });
    expect(await secretsFromHosts(hosts)).toEqual({ ...secrets, frontDoorTls: tls });
    // The CA is there but its key cannot be read: no new CA is made behind the agents' back.
    stack.web.onExec(`cat -- ${CA_KEY}`, { code: 1, stderr: 'cat: Permission denied' });
    await expect(secretsFromHosts(hosts)).rejects.toThrow(/ca-key\.pem cannot be read: cat: Permission denied/);
  });

  it("reads the tenants' passwords from the web host as root, and refuses a file that is not ours", async () => {
    const stack = fakeStack();
    const hosts = await connectedInventory(stack);
    const secrets = generateSecrets();
    await installMinioAndGrafana(stack, secrets);
    const file = `${tierDir('web')}/${TENANT_CREDENTIALS_PATH}`;
    const passwords = { default: 'p'.repeat(43), 'team-b': 'q'.repeat(43) };
    stack.web.onExec(`test -e ${file}`, { code: 0 });
    stack.web.onExec(`cat -- ${file}`, { stdout: JSON.stringify({ tenants: passwords }) });
    expect(await secretsFromHosts(hosts)).toEqual({ ...secrets, tenantPasswords: passwords });
    expect(stack.web.ran(`cat -- ${file}`).length).toBeGreaterThan(0);
    for (const hostile of ['{"tenants":{"../x":"pppppppppppppppppppp"}}', '{"tenants":{"a":"short"}}', 'not json']) {
      stack.web.onExec(`cat -- ${file}`, { stdout: hostile });
      await expect(secretsFromHosts(hosts)).rejects.toThrow(/is not a tenants file heal-pyroscope wrote/);
    }
  });

  it("says an engine that does not answer is why, with the engine's own next step first", async () => {
    const stack = fakeStack();
    const hosts = await connectedInventory(stack);
    stack.app.engine.inspectContainer = () =>
      Promise.reject(
        new HealError({
          code: 'docker.not-running',
          message: 'Docker engine on app-01 is not running',
          hint: 'Start it',
        }),
      );
    const error = (await secretsFromHosts(hosts).catch((e: unknown) => e)) as HealError;
    expect(error.code).toBe('state.hosts');
    expect(error.message).toBe(
      'no local state, and the credentials cannot be read from app-01: Docker engine on app-01 is not running',
    );
    expect(error.hint).toMatch(/^Start it; or copy the \.heal-pyroscope\/ directory/);
  });
});
