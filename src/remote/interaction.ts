// Everything the transport may need to ask a person. The CLI supplies prompt-based implementations;
// the transport itself never prompts, so it runs unchanged under CI with `nonInteractive`.

import { HealError } from '../core/errors.js';

export interface Interaction {
  /** Unknown host key: may we trust it (and record it)? `keyType` is OpenSSH's label (ED25519, RSA, ...). */
  confirmHostKey(host: string, keyType: string, sha256Fingerprint: string): Promise<boolean>;
  /** Passphrase for an encrypted private key file. */
  passphrase(keyPath: string): Promise<string>;
  /** Password for `user@host`; only ever asked for, never taken from flags or files. */
  password(userAtHost: string): Promise<string>;
}

/** For CI and `--yes` runs: every question is a clear failure instead of a hang. */
export const nonInteractive: Interaction = {
  confirmHostKey(host, keyType, fingerprint) {
    return Promise.reject(
      new HealError({
        code: 'ssh.hostkey.unknown',
        message:
          `Host key of ${host} is not in known_hosts (${keyType} ${fingerprint}) and nobody can ` +
          `confirm it in non-interactive mode`,
        hint:
          'Compare the fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host, then ' +
          'rerun with --accept-new-host-keys or interactively',
      }),
    );
  },
  passphrase(keyPath) {
    return Promise.reject(
      new HealError({
        code: 'ssh.key.encrypted',
        message: `Private key ${keyPath} is encrypted and its passphrase cannot be asked in non-interactive mode`,
        hint: `Load it into ssh-agent first (ssh-add ${keyPath}) or run interactively`,
      }),
    );
  },
  password(userAtHost) {
    return Promise.reject(
      new HealError({
        code: 'ssh.password.noninteractive',
        message: `A password for ${userAtHost} cannot be asked in non-interactive mode`,
        hint: 'Use key authentication (ssh-agent or identityFile) for unattended runs',
      }),
    );
  },
};

/**
 * Parallel connections must not interleave prompts on one terminal: every question goes through
 * this gate one at a time. Callers also run their "check again, then ask" sequences inside it so
 * that a host key accepted for one session is not asked again for the next.
 */
export class InteractionGate {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly interaction: Interaction) {}

  run<T>(task: (interaction: Interaction) => Promise<T>): Promise<T> {
    const result = this.tail.then(() => task(this.interaction));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
