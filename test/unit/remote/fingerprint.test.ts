import { describe, expect, it } from 'vitest';
import { displayKeyType, keyTypeOfBlob, sha256Fingerprint } from '../../../src/remote/fingerprint.js';

// Public keys with the fingerprints `ssh-keygen -lf` printed for them.
const ED25519 = 'AAAAC3NzaC1lZDI1NTE5AAAAIFJFAzO5XJph5jweYdma8KLIfIYyrDYZiBCjNZWvOYyo';
const ED25519_FP = 'SHA256:nT65gIPBopT3n0BJh92nqwPGPUAvVQWGFvUt2SsgpbA';
const RSA =
  'AAAAB3NzaC1yc2EAAAADAQABAAABAQCqe695ldUA8GTnQNUa8p5dCLQd66tXG1WL+6xnYQs1RrrypcXHJT0GcBzrwiVhjGDPiMZpSZf3oypqNqbNB9IPEd23qmKLk8G616X2wcIn7fItAY2KrN9qu7kvCRisZwqSbq0Ug7g/5uWwwz5BS1YZ3DTeb111JcdIVEk3Lj/hAx6vlIqz32RdYfI/sIeEAzX2Xb/+g0YNE/EAKQjWft9buvUxO4uKZ3v0k48hYFBslZy5vsUk1Kx8hiQnIQWvNn/F5BnVdL9JxSuyppbN/DBlDQ85HFzwiQMDxaSjr524ToUhyeytt1gx0XMZzkvl9PcHl4G7hyU4DmMQ0zypR8vD';
const RSA_FP = 'SHA256:c9CEG0uDvF6WPPqsWwH/wUDAkRBWMy5OtzlxQHqSZSg';

describe('sha256Fingerprint', () => {
  it('matches ssh-keygen -lf for an ED25519 key', () => {
    expect(sha256Fingerprint(Buffer.from(ED25519, 'base64'))).toBe(ED25519_FP);
  });

  it('matches ssh-keygen -lf for an RSA key', () => {
    expect(sha256Fingerprint(Buffer.from(RSA, 'base64'))).toBe(RSA_FP);
  });

  it('drops base64 padding as OpenSSH does', () => {
    const fp = sha256Fingerprint(Buffer.from('anything'));
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('keyTypeOfBlob', () => {
  it('reads the algorithm name at the start of the blob', () => {
    expect(keyTypeOfBlob(Buffer.from(ED25519, 'base64'))).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.from(RSA, 'base64'))).toBe('ssh-rsa');
  });

  it('rejects a truncated blob', () => {
    expect(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 40, 65]))).toThrow(/malformed/);
  });
});

describe('displayKeyType', () => {
  it('uses OpenSSH labels', () => {
    expect(displayKeyType('ssh-ed25519')).toBe('ED25519');
    expect(displayKeyType('ecdsa-sha2-nistp256')).toBe('ECDSA');
    expect(displayKeyType('ssh-rsa')).toBe('RSA');
  });
});
