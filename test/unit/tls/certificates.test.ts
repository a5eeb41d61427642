import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addressBytes,
  CA_DAYS,
  caProblem,
  certificateCovers,
  frontDoorTlsFor,
  issueCa,
  issueServer,
  RENEW_DAYS,
  SERVER_DAYS,
  serverProblem,
} from '../../../src/tls/certificates.js';
import { namedBits, oid, time, unsignedInteger } from '../../../src/tls/der.js';

const DAY = 24 * 3600 * 1000;
const NOW = new Date('2026-12-07T12:00:00Z');
const NAMES = ['web-01', '10.213.0.11'];

describe('DER pieces', () => {
  it('encodes what X.690 says for known values', () => {
    // 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), as every certificate carries it.
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    // keyCertSign (5) and cRLSign (6): one byte 0x06, one unused bit.
    expect(namedBits([5, 6]).toString('hex')).toBe('03020106');
    expect(namedBits([0]).toString('hex')).toBe('03020780');
    // A set high bit gets a leading zero; leading zeros go.
    expect(unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(unsignedInteger(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('ascii').slice(2)).toBe('491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });

  it('reads IPv4, IPv6 and IPv4-mapped addresses as the bytes a SAN holds', () => {
    expect(addressBytes('10.213.0.11').toString('hex')).toBe('0ad5000b');
    expect(addressBytes('fd00::11').toString('hex')).toBe('fd000000000000000000000000000011');
    expect(addressBytes('::ffff:10.0.0.1').toString('hex')).toBe('00000000000000000000ffff0a000001');
    expect(addressBytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
  });
});

describe('the front door CA and certificate', () => {
  const made = frontDoorTlsFor(undefined, 'lab', NAMES, NOW);
  const cert = new X509Certificate(made.tls.certificate);
  const ca = new X509Certificate(made.tls.caCertificate);
  const own = { caCertificate: made.tls.caCertificate, caKey: made.tls.caKey! };

  it('makes a CA and a certificate it signed, for exactly the names asked', () => {
    expect(made.change).toEqual({ kind: 'created' });
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:web-01, IP Address:10.213.0.11');
    for (const n of NAMES) expect(certificateCovers(cert, n), n).toBe(true);
    expect(certificateCovers(cert, 'web-02')).toBe(false);
    expect(certificateCovers(cert, '10.213.0.12')).toBe(false);
    expect(new Date(cert.validTo).getTime() - NOW.getTime()).toBe(SERVER_DAYS * DAY);
    expect(new Date(ca.validTo).getTime() - NOW.getTime()).toBe(CA_DAYS * DAY);
    // Valid from an hour before: a target whose clock runs behind accepts it.
    expect(NOW.getTime() - new Date(cert.validFrom).getTime()).toBe(3600 * 1000);
    expect(made.tls.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('keeps what serves, and issues again under the same CA for a new name or a near end', () => {
    expect(frontDoorTlsFor(made.tls, 'lab', NAMES, NOW)).toEqual({ tls: made.tls, change: { kind: 'kept' } });
    const moved = frontDoorTlsFor(made.tls, 'lab', ['web-02'], NOW);
    expect(moved.change).toEqual({ kind: 'renewed', why: 'it does not name web-02' });
    expect(moved.tls.caCertificate).toBe(made.tls.caCertificate);
    expect(moved.tls.caKey).toBe(made.tls.caKey);
    expect(new X509Certificate(moved.tls.certificate).checkIssued(ca)).toBe(true);
    const late = new Date(NOW.getTime() + (SERVER_DAYS - RENEW_DAYS + 1) * DAY);
    expect(serverProblem(made.tls, NAMES, late)).toMatch(/^it ends within 30 days/);
    expect(serverProblem(made.tls, NAMES, new Date(NOW.getTime() + (SERVER_DAYS + 1) * DAY))).toBe('it has expired');
    const renewed = frontDoorTlsFor(made.tls, 'lab', NAMES, late);
    expect(renewed.change.kind).toBe('renewed');
    expect(renewed.tls.caCertificate).toBe(made.tls.caCertificate);
    expect(serverProblem(renewed.tls, NAMES, late)).toBeNull();
  });

  it('refuses a certificate of another CA or with another key, and makes a new CA only when its own cannot sign', () => {
    const other = issueCa('other', NOW);
    expect(serverProblem({ ...made.tls, ...other }, NAMES, NOW)).toBe('it was not issued by the CA');
    const otherKey = issueServer(own, NAMES, NOW).key;
    expect(serverProblem({ ...made.tls, key: otherKey }, NAMES, NOW)).toBe('its key does not match it');
    expect(caProblem({ caCertificate: made.tls.caCertificate, caKey: other.caKey }, NOW)).toMatch(
      /CA key does not match/,
    );
    const old = new Date(NOW.getTime() + (CA_DAYS - SERVER_DAYS) * DAY);
    const fresh = frontDoorTlsFor(made.tls, 'lab', NAMES, old);
    expect(fresh.change.kind).toBe('new-ca');
    expect(fresh.tls.caCertificate).not.toBe(made.tls.caCertificate);
  });

  it('refuses a name a certificate cannot carry', () => {
    expect(() => issueServer(own, ['web 01'], NOW)).toThrow(/not a DNS name or an IP address: web 01/);
  });
});

describe('openssl, an independent reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heal-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the chain strictly, for TLS servers, with each name', async () => {
    const { tls } = frontDoorTlsFor(undefined, 'lab', NAMES, new Date());
    writeFileSync(join(dir, 'ca.pem'), tls.caCertificate);
    writeFileSync(join(dir, 'cert.pem'), tls.certificate);
    const verify = (...extra: string[]) =>
      execa(
        'openssl',
        [
          'verify',
          '-x509_strict',
          '-purpose',
          'sslserver',
          '-CAfile',
          join(dir, 'ca.pem'),
          ...extra,
          join(dir, 'cert.pem'),
        ],
        {
          reject: false,
          all: true,
        },
      );
    const ok = await verify('-verify_hostname', 'web-01');
    expect(ok.all).toMatch(/: OK$/m);
    expect((await verify('-verify_ip', '10.213.0.11')).exitCode).toBe(0);
    expect((await verify('-verify_hostname', 'web-02')).exitCode).not.toBe(0);
  });
});
