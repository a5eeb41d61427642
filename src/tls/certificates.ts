// The front door's TLS material when heal-pyroscope makes it (`frontDoor.tls: generated`): a private
// CA of this stack, made once, and a server certificate it signs, whose names are the web host's
// names and addresses. Both ECDSA P-256 with SHA-256, which every agent's TLS stack accepts. The
// server certificate is re-issued under the same CA when a name is missing or it nears its end, so
// agents that trust the CA never need a new file; the CA itself lasts ten years.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  namedBits,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

/**
 * PEM texts. The two keys are secrets: never printed or logged. `caKey` is absent when the CA is
 * the operator's (`frontDoor.tls: files`): heal-pyroscope then issues nothing.
 */
export interface FrontDoorTls {
  caCertificate: string;
  caKey?: string;
  /** The door's certificate, then any intermediates. */
  certificate: string;
  key: string;
}

/** A CA heal-pyroscope made, which can sign. */
type OwnCa = { caCertificate: string; caKey: string };

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\r?\n?/g;

/** The PEM blocks of a text, by label, in order. */
export function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({
    label: m[1] ?? '',
    pem: m[0].endsWith('\n') ? m[0] : `${m[0]}\n`,
  }));
}

export const CA_DAYS = 3650;
/** The longest a TLS server certificate is commonly accepted for (CA/Browser Forum, 398 days). */
export const SERVER_DAYS = 397;
/** Status warns, and install renews, this many days before a certificate ends. */
export const RENEW_DAYS = 30;

const DAY_MS = 24 * 3600 * 1000;
/** Certificates start an hour early: a target whose clock runs behind still accepts a fresh one. */
const SKEW_MS = 3600 * 1000;

const OIDS = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

function distinguishedName(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(OIDS.organization), utf8String('heal-pyroscope'))),
    set(sequence(oid(OIDS.commonName), utf8String(commonName.slice(0, 64)))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function spki(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' });
}

/** RFC 7093 method 4 style: a hash of the whole SubjectPublicKeyInfo, first 20 bytes. */
function keyIdentifier(key: KeyObject): Buffer {
  return createHash('sha256').update(spki(key)).digest().subarray(0, 20);
}

/** A positive 16-byte serial number. */
function serial(): Buffer {
  const bytes = randomBytes(16);
  bytes.writeUInt8((bytes.readUInt8(0) & 0x7f) | 0x40, 0);
  return bytes;
}

/** The 4 or 16 bytes of an IP address (SAN iPAddress). */
export function addressBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  if (isIP(address) !== 6) throw new Error(`not an IP address: ${address}`);
  let text = address.replace(/%.*$/, '');
  // A trailing dotted IPv4 part is two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const b = addressBytes(v4);
    text = `${text.slice(0, -v4.length)}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return bytes;
}

/** A DNS name a certificate can carry: letters, digits, hyphens and dots. */
export function isDnsName(name: string): boolean {
  return /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(
    name,
  );
}

function subjectAltName(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) =>
      isIP(n)
        ? implicitPrimitive(7, addressBytes(n))
        : implicitPrimitive(2, Buffer.from(n.replace(/\.$/, ''), 'ascii')),
    ),
  );
}

interface Issue {
  subject: string;
  subjectKey: KeyObject;
  issuer: string;
  issuerKey: KeyObject;
  days: number;
  now: Date;
  extensions: Buffer[];
}

function issue(i: Issue): string {
  const algorithm = sequence(oid(OIDS.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial()),
    algorithm,
    distinguishedName(i.issuer),
    sequence(time(new Date(i.now.getTime() - SKEW_MS)), time(new Date(i.now.getTime() + i.days * DAY_MS))),
    distinguishedName(i.subject),
    spki(i.subjectKey),
    explicit(3, sequence(...i.extensions)),
  );
  const signature = sign('sha256', tbs, { key: i.issuerKey, dsaEncoding: 'der' });
  const der = sequence(tbs, algorithm, bitString(signature));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function newKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

const CA_PREFIX = 'heal-pyroscope CA';

/** A new CA for one environment. */
export function issueCa(environment: string, now: Date): OwnCa {
  const key = newKey();
  const name = `${CA_PREFIX} ${environment}`;
  const id = keyIdentifier(key);
  const caCertificate = issue({
    subject: name,
    subjectKey: key,
    issuer: name,
    issuerKey: key,
    days: CA_DAYS,
    now,
    extensions: [
      extension(OIDS.basicConstraints, true, sequence(boolean(true), smallInteger(0))),
      extension(OIDS.keyUsage, true, namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
      extension(OIDS.subjectKeyIdentifier, false, octetString(id)),
    ],
  });
  return { caCertificate, caKey: pem(key) };
}

/** A server certificate for `names` (DNS names and IP addresses), signed by the CA. */
export function issueServer(ca: OwnCa, names: readonly string[], now: Date): Pick<FrontDoorTls, 'certificate' | 'key'> {
  if (names.length === 0) throw new Error('a server certificate needs at least one name');
  const bad = names.filter((n) => !isIP(n) && !isDnsName(n));
  if (bad.length > 0) throw new Error(`not a DNS name or an IP address: ${bad.join(', ')}`);
  const caKey = createPrivateKey(ca.caKey);
  const caCert = new X509Certificate(ca.caCertificate);
  const key = newKey();
  const certificate = issue({
    subject: 'heal-pyroscope front door',
    subjectKey: key,
    issuer: commonNameOf(caCert),
    issuerKey: caKey,
    days: SERVER_DAYS,
    now,
    extensions: [
      extension(OIDS.basicConstraints, true, sequence()),
      extension(OIDS.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
      extension(OIDS.extKeyUsage, false, sequence(oid(OIDS.serverAuth))),
      extension(OIDS.subjectAltName, false, subjectAltName(names)),
      extension(OIDS.subjectKeyIdentifier, false, octetString(keyIdentifier(key))),
      extension(OIDS.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyIdentifier(caKey)))),
    ],
  });
  return { certificate, key: pem(key) };
}

function commonNameOf(cert: X509Certificate): string {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  if (!cn) throw new Error('the CA certificate has no common name');
  return cn;
}

function sameKey(key: string, cert: X509Certificate): boolean {
  return spki(createPrivateKey(key)).equals(cert.publicKey.export({ format: 'der', type: 'spki' }));
}

/** Whether the certificate names `name` (an IP address or a DNS name). */
export function certificateCovers(cert: X509Certificate, name: string): boolean {
  return isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name.replace(/\.$/, '')) !== undefined;
}

/** Why the server certificate must be issued again, or null when it serves as it is. */
export function serverProblem(tls: FrontDoorTls, names: readonly string[], now: Date): string | null {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(tls.certificate);
    ca = new X509Certificate(tls.caCertificate);
  } catch {
    return 'the certificate cannot be read';
  }
  if (!chainsTo(tls.certificate, ca)) return 'it was not issued by the CA';
  if (!sameKey(tls.key, cert)) return 'its key does not match it';
  const missing = names.filter((n) => !certificateCovers(cert, n));
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  const left = new Date(cert.validTo).getTime() - now.getTime();
  if (left < RENEW_DAYS * DAY_MS) {
    return left <= 0 ? 'it has expired' : `it ends within ${RENEW_DAYS} days (${new Date(cert.validTo).toISOString()})`;
  }
  return null;
}

/** Whether the first certificate of `bundle` leads to `ca`, directly or through the others in it. */
function chainsTo(bundle: string, ca: X509Certificate): boolean {
  const certs = pemBlocks(bundle)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => new X509Certificate(b.pem));
  let current = certs[0];
  for (let hops = 0; current && hops <= certs.length; hops++) {
    if (current.checkIssued(ca) && current.verify(ca.publicKey)) return true;
    const child: X509Certificate = current;
    current = certs.find((c) => c !== child && child.checkIssued(c) && child.verify(c.publicKey));
  }
  return false;
}

/**
 * The operator's material (`frontDoor.tls: files`) as the door will serve it, or why it cannot be:
 * unreadable PEM, a key of another certificate, a certificate the CA did not issue, a name agents
 * dial that it does not carry, or an end already passed.
 */
export function operatorTls(
  texts: { certificate: string; key: string; ca: string },
  names: readonly string[],
  now: Date,
): { tls: FrontDoorTls } | { problem: string } {
  const certs = pemBlocks(texts.certificate).filter((b) => b.label === 'CERTIFICATE');
  const ca = pemBlocks(texts.ca).find((b) => b.label === 'CERTIFICATE');
  const key = pemBlocks(texts.key).find((b) => b.label.endsWith('PRIVATE KEY'));
  if (certs.length === 0) return { problem: 'the certificate file holds no PEM certificate' };
  if (!ca) return { problem: 'the CA file holds no PEM certificate' };
  if (!key) return { problem: 'the key file holds no PEM private key' };
  if (key.label.includes('ENCRYPTED'))
    return { problem: 'the key is encrypted: HAProxy needs it without a passphrase' };
  const tls: FrontDoorTls = {
    caCertificate: ca.pem,
    certificate: certs.map((c) => c.pem).join(''),
    key: key.pem,
  };
  try {
    const why = serverProblem(tls, names, now);
    // A certificate near its end still serves; status warns about it.
    if (why && !why.startsWith(`it ends within`)) return { problem: `the certificate cannot serve: ${why}` };
  } catch (error) {
    return { problem: `the files cannot be read as PEM: ${(error as Error).message}` };
  }
  return { tls };
}

/** Why the CA must be made anew (agents then need its new certificate), or null. */
export function caProblem(tls: Pick<FrontDoorTls, 'caCertificate' | 'caKey'>, now: Date): string | null {
  let ca: X509Certificate;
  if (tls.caKey === undefined) return 'the CA was yours (frontDoor.tls: files): heal-pyroscope has no key to sign with';
  try {
    ca = new X509Certificate(tls.caCertificate);
    if (!ca.ca) return 'the CA certificate is not a CA';
    if (!sameKey(tls.caKey, ca)) return "the CA key does not match the CA's certificate";
  } catch {
    return 'the CA cannot be read';
  }
  if (new Date(ca.validTo).getTime() - now.getTime() < (SERVER_DAYS + 1) * DAY_MS) {
    return `the CA ends on ${new Date(ca.validTo).toISOString()}, before a new certificate would`;
  }
  return null;
}

/** What install did with the door's material (`files`: the operator's, checked), in words for the plan. */
export type TlsChange =
  | { kind: 'kept' }
  | { kind: 'created' }
  | { kind: 'renewed'; why: string }
  | { kind: 'new-ca'; why: string }
  | { kind: 'files'; path: string };

/**
 * The TLS material the door should serve for `names`: the existing material when it serves,
 * a new server certificate under the same CA when it does not, a new CA only when the CA itself
 * cannot sign one (agents then need the new CA certificate).
 */
export function frontDoorTlsFor(
  existing: FrontDoorTls | undefined,
  environment: string,
  names: readonly string[],
  now: Date,
): { tls: FrontDoorTls; change: TlsChange } {
  if (!existing) {
    const ca = issueCa(environment, now);
    return { tls: { ...ca, ...issueServer(ca, names, now) }, change: { kind: 'created' } };
  }
  const caWhy = caProblem(existing, now);
  if (caWhy || existing.caKey === undefined) {
    const ca = issueCa(environment, now);
    return { tls: { ...ca, ...issueServer(ca, names, now) }, change: { kind: 'new-ca', why: caWhy ?? '' } };
  }
  const own: OwnCa = { caCertificate: existing.caCertificate, caKey: existing.caKey };
  const why = serverProblem(existing, names, now);
  if (!why) return { tls: existing, change: { kind: 'kept' } };
  return { tls: { ...existing, ...issueServer(own, names, now) }, change: { kind: 'renewed', why } };
}

/** When the server certificate ends, and its SHA-256 fingerprint (for status and agents). */
export function certificateSummary(certificate: string): { notAfter: Date; fingerprint256: string; names: string[] } {
  const cert = new X509Certificate(certificate);
  const names = (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS:|IP Address:)/, ''))
    .filter((n) => n !== '');
  return { notAfter: new Date(cert.validTo), fingerprint256: cert.fingerprint256, names };
}
