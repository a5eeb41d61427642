// Host key verification for every session, with no way to turn it off: known keys pass, unknown
// keys need a person's yes (or --accept-new-host-keys) and are then recorded, changed or revoked
// keys always stop the connection.

import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HealError, isHealError } from '../core/errors.js';
import type { Deadline } from './deadline.js';
import { displayKeyType, keyTypeOfBlob, sha256Fingerprint } from './fingerprint.js';
import type { InteractionGate } from './interaction.js';
import type { KnownHostEntry } from './known-hosts.js';
import { checkHostKey, formatKnownHostsLine, knownHostsName, knownKeyTypes, parseKnownHosts } from './known-hosts.js';
import type { SshTarget } from './target.js';
import { describeTarget } from './target.js';

export interface HostKeyOutcome {
  keyType: string;
  fingerprint: string;
  /** True when the key was unknown and has just been appended to the known_hosts file. */
  recorded: boolean;
}

export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new HealError({
      code: 'ssh.knownhosts.unreadable',
      message: `Cannot read known_hosts file ${file}: ${(error as Error).message}`,
      hint: 'Fix the file permissions or point knownHostsFile at a readable file',
      cause: error,
    });
  }
}

/**
 * The known_hosts files of one run (connectAll), each read and parsed once however many hosts are
 * checked against it (100 hosts read it 200 times before); a file this run appends to is read again.
 */
export class KnownHostsCache {
  private readonly files = new Map<string, Promise<KnownHostEntry[]>>();

  read(file: string): Promise<KnownHostEntry[]> {
    let entries = this.files.get(file);
    if (!entries) {
      entries = readKnownHosts(file);
      this.files.set(file, entries);
    }
    return entries;
  }

  forget(file: string): void {
    this.files.delete(file);
  }
}

// Appends from parallel sessions are chained so that lines never interleave.
let appendChain: Promise<unknown> = Promise.resolve();

export function appendKnownHost(file: string, line: string): Promise<void> {
  const task = appendChain.then(async () => {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const current = await readFile(file, 'utf8').catch(() => '');
    const separator = current === '' || current.endsWith('\n') ? '' : '\n';
    await appendFile(file, `${separator}${line}\n`, { mode: 0o600 });
  });
  appendChain = task.catch(() => undefined);
  return task;
}

/** Server host key algorithms with the types already on record first, so the known key is offered. */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[], supported: readonly string[]): string[] {
  const wanted = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const first = wanted.filter((a) => supported.includes(a));
  return [...first, ...supported.filter((a) => !first.includes(a))];
}

export class HostKeyVerifier {
  /** Why the key was refused; ssh2 only reports "Host denied", so the session reports this instead. */
  failure: HealError | undefined;
  outcome: HostKeyOutcome | undefined;
  private readonly name: string;

  constructor(
    private readonly target: SshTarget,
    private readonly gate: InteractionGate,
    private readonly acceptNew: boolean,
    private readonly deadline: Deadline,
    private readonly knownHosts = new KnownHostsCache(),
  ) {
    this.name = knownHostsName(target.host, target.port);
  }

  async knownTypes(): Promise<string[]> {
    return knownKeyTypes(await this.knownHosts.read(this.target.knownHostsFile), this.name);
  }

  /** The callback form ssh2 expects; the decision itself is async. */
  readonly hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    this.verify(key).then(
      () => verify(true),
      (error: unknown) => {
        this.failure = isHealError(error)
          ? error
          : new HealError({
              code: 'ssh.hostkey.error',
              message: `Host key check for ${describeTarget(this.target)} failed: ${String(error)}`,
              cause: error,
            });
        verify(false);
      },
    );
  };

  async verify(blob: Buffer): Promise<void> {
    const keyType = keyTypeOfBlob(blob);
    const key = blob.toString('base64');
    const fingerprint = sha256Fingerprint(blob);
    const file = this.target.knownHostsFile;
    const first = checkHostKey(await this.knownHosts.read(file), this.name, keyType, key);
    if (first.kind !== 'unknown') {
      this.judge(first, keyType, fingerprint);
      this.outcome = { keyType, fingerprint, recorded: false };
      return;
    }
    // Another session may be asking about this very host: decide inside the gate, re-reading the file first.
    await this.deadline.paused(() =>
      this.gate.run(async (interaction) => {
        const again = checkHostKey(await readKnownHosts(file), this.name, keyType, key);
        if (again.kind !== 'unknown') {
          this.judge(again, keyType, fingerprint);
          this.outcome = { keyType, fingerprint, recorded: false };
          return;
        }
        const accepted =
          this.acceptNew ||
          (await interaction.confirmHostKey(describeTarget(this.target), displayKeyType(keyType), fingerprint));
        if (!accepted) {
          throw new HealError({
            code: 'ssh.hostkey.rejected',
            message:
              `Host key of ${describeTarget(this.target)} (${displayKeyType(keyType)} ${fingerprint}) ` +
              `was not accepted`,
            hint:
              'Compare the fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the host ' +
              'before accepting it',
          });
        }
        await appendKnownHost(file, formatKnownHostsLine(this.name, keyType, key));
        this.knownHosts.forget(file);
        this.outcome = { keyType, fingerprint, recorded: true };
      }),
    );
  }

  private judge(verdict: ReturnType<typeof checkHostKey>, keyType: string, fingerprint: string): void {
    const file = this.target.knownHostsFile;
    const presented = `${displayKeyType(keyType)} ${fingerprint}`;
    if (verdict.kind === 'revoked') {
      throw new HealError({
        code: 'ssh.hostkey.revoked',
        message:
          `Host key of ${describeTarget(this.target)} (${presented}) is marked @revoked on line ` +
          `${verdict.line} of ${file}`,
        hint: 'The host needs a new host key; ask its administrator and do not connect until then',
      });
    }
    if (verdict.kind === 'changed') {
      const lines = verdict.lines.join(', ');
      throw new HealError({
        code: 'ssh.hostkey.changed',
        message:
          `WARNING: host key of ${describeTarget(this.target)} does not match line ${lines} of ` +
          `${file}: someone may be intercepting the connection`,
        hint:
          `Only if the host was reinstalled or its key rotated: confirm the new key ${presented} with ` +
          `its administrator, then remove line ${lines} of ${file} (ssh-keygen -R '${this.name}' -f ${file})`,
        details: [`presented: ${presented}`, `on record: ${verdict.knownTypes.join(', ')} on line ${lines}`],
      });
    }
  }
}
