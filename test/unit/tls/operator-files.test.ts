// `frontDoor.tls: files`: an operator's CA, intermediate and door certificate, made with the openssl
// command line as an operator would make them, checked by install and served by the real HAProxy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOperatorTlsFiles, withFrontDoorTls } from '../../../src/phases/install/gather-facts.js';
import { renderContext } from '../../../src/render/context.js';
import { renderHaproxy, TLS_CA_KEY_PATH, TLS_CERTIFICATE_PATH } from '../../../src/render/haproxy.js';
import { generateSecrets, type InstallState } from '../../../src/state/state-file.js';
import { issueCa, issueServer, operatorTls } from '../../../src/tls/certificates.js';
import { haproxyAvailability, startFrontDoor } from '../render/haproxy-run.js';
import { sampleInput } from '../render/sample-context.js';

const dir = mkdtempSync(join(tmpdir(), 'heal-operator-tls-'));
const at = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execa('openssl', args, { cwd: dir });
const NOW = new Date();
const state: InstallState = { version: 1, environment: 'lab', secrets: generateSecrets() };
const topology = { frontDoorTls: 'files' as const, environment: 'lab' };

/** Root CA -> intermediate CA -> door certificate for 127.0.0.1 and web-01, as `openssl` makes them. */
async function makeChain(): Promise<void> {
  writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(
    at('leaf.ext'),
    'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:web-01\n',
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'root.key',
    '-out',
    'root.crt',
    '-subj',
    '/CN=Ops Root',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  // NAME.key and NAME.csr, then NAME.crt signed by ISSUER with the extensions in EXT.
  const issue = async (name: string, subject: string, issuer: string, ext: string) => {
    await openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    await openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${issuer}.crt`,
      '-CAkey',
      `${issuer}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '30',
      '-extfile',
      ext,
    );
  };
  await issue('int', '/CN=Ops Intermediate', 'root', 'ca.ext');
  await issue('door', '/CN=web-01', 'int', 'leaf.ext');
  writeFileSync(at('door-chain.crt'), readFileSync(at('door.crt'), 'utf8') + readFileSync(at('int.crt'), 'utf8'));
  await execa('chmod', ['600', at('door.key')]);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const paths = () => ({ certificate: at('door-chain.crt'), key: at('door.key'), ca: at('root.crt') });

describe('the operator’s certificate (frontDoor.tls: files)', () => {
  beforeAll(makeChain, 30_000);

  it('is taken when it chains to the CA through an intermediate, matches its key and names what agents dial', async () => {
    const files = await readOperatorTlsFiles(paths());
    const { state: next, tls } = withFrontDoorTls(state, topology, ['127.0.0.1', 'web-01'], NOW, files);
    expect(tls?.change).toEqual({ kind: 'files', path: at('door-chain.crt') });
    expect(next.secrets.frontDoorTls?.caKey).toBeUndefined();
    expect(next.secrets.frontDoorTls?.caCertificate).toBe(readFileSync(at('root.crt'), 'utf8'));
  });

  it('is refused, naming why, for a name it lacks, another key, another CA, or no chain', async () => {
    const files = await readOperatorTlsFiles(paths());
    expect(() => withFrontDoorTls(state, topology, ['web-02'], NOW, files)).toThrow(/it does not name web-02/);
    const texts = files.texts;
    const other = issueCa('other', NOW);
    expect(operatorTls({ ...texts, key: issueServer(other, ['x'], NOW).key }, ['web-01'], NOW)).toEqual({
      problem: 'the certificate cannot serve: its key does not match it',
    });
    expect(operatorTls({ ...texts, ca: other.caCertificate }, ['web-01'], NOW)).toEqual({
      problem: 'the certificate cannot serve: it was not issued by the CA',
    });
    // Without its intermediate, the door certificate does not lead to the root.
    const leafOnly = readFileSync(at('door.crt'), 'utf8');
    expect(operatorTls({ ...texts, certificate: leafOnly }, ['web-01'], NOW)).toEqual({
      problem: 'the certificate cannot serve: it was not issued by the CA',
    });
    expect(operatorTls({ ...texts, key: '' }, ['web-01'], NOW)).toEqual({
      problem: 'the key file holds no PEM private key',
    });
  });

  it('refuses a key file others can read, and a file that is not there, before reading anything else', async () => {
    await execa('chmod', ['644', at('door.key')]);
    await expect(readOperatorTlsFiles(paths())).rejects.toThrow(/is open to group or others \(mode 0644\)/);
    await execa('chmod', ['600', at('door.key')]);
    await expect(readOperatorTlsFiles({ ...paths(), ca: at('missing.crt') })).rejects.toThrow(
      /frontDoor.ca .*missing.crt cannot be read: ENOENT/,
    );
  });

  it('renders no CA key: the CA stays the operator’s', async () => {
    const files = await readOperatorTlsFiles(paths());
    const tls = withFrontDoorTls(state, topology, ['127.0.0.1'], NOW, files).state.secrets.frontDoorTls!;
    const rendered = renderHaproxy(renderContext(sampleInput({ tls })));
    expect(rendered.files.map((f) => f.path)).not.toContain(TLS_CA_KEY_PATH);
  });
});

const availability = await haproxyAvailability();

describe.skipIf(availability.skip)('the operator’s chain, served by HAProxy', () => {
  beforeAll(makeChain, 30_000);

  it('answers a client that trusts only the operator’s root: the intermediate is served', async () => {
    const files = await readOperatorTlsFiles(paths());
    const tls = withFrontDoorTls(state, topology, ['127.0.0.1'], NOW, files).state.secrets.frontDoorTls!;
    const rendered = renderHaproxy(
      renderContext(sampleInput({ hosts: { web: '127.0.0.1', app: '127.0.0.1', db: '127.0.0.1' }, tls })),
    ).files;
    const pem = rendered.find((f) => f.path === TLS_CERTIFICATE_PATH)!.content;
    const door = await startFrontDoor(rendered[0]!.content, { pem, ca: tls.caCertificate });
    try {
      expect((await door.get('/ingest?name=ops.cpu')).reached, door.output()).toBe('pyroscope');
    } finally {
      await door.stop();
    }
  });
});
