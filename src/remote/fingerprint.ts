// Host key identity as OpenSSH prints it, so that operators can compare what we show with
// `ssh-keygen -lf` on the host.

import { createHash } from 'node:crypto';

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob, exactly like OpenSSH. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  const digest = createHash('sha256').update(keyBlob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** The algorithm name that opens every SSH public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('key blob too short');
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || 4 + length > keyBlob.length) throw new Error('malformed key blob');
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's short label for a key type, as in "ED25519 key fingerprint is ...". */
export function displayKeyType(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType === 'ssh-dss') return 'DSA';
  return keyType;
}
