// Identity files judged by what they hold, each problem in its own words naming the file. The ones
// the operator configured are checked before any host is contacted (a usage error, exit 2); the
// Authenticator uses the same words for a key it meets while authenticating.

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { ExitCode, HealError } from '../core/errors.js';

export type KeyProblemKind = 'missing' | 'directory' | 'unreadable' | 'public' | 'invalid' | 'passphrase';

export interface KeyProblem {
  path: string;
  kind: KeyProblemKind;
  /** One line naming the file, e.g. `identity file ~/.ssh/id.pub is a public key, not a private key`. */
  message: string;
  hint: string;
}

const PUBLIC_KEY_TEXT = /^\s*((ssh|ecdsa|sk)-[a-z0-9@.-]+\s+[A-Za-z0-9+/=]{20,}|---- BEGIN SSH2 PUBLIC KEY ----)/;

function problem(path: string, kind: KeyProblemKind, message: string, hint: string): KeyProblem {
  return { path, kind, message, hint };
}

/** Why a key file could not be read (stat or read error). */
export function unreadableKey(path: string, error: unknown): KeyProblem {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return problem(
      path,
      'missing',
      `identity file ${path} does not exist`,
      'correct the path of the key (ssh.identityFile, --identity-file or IdentityFile), or leave it out to ' +
        'use ssh-agent',
    );
  }
  if (code === 'EISDIR') return directoryKey(path);
  return problem(
    path,
    'unreadable',
    `cannot read identity file ${path} (${code ?? (error as Error).message})`,
    `make it readable by the user running heal-pyroscope (chown that user, chmod 600 ${path})`,
  );
}

function directoryKey(path: string): KeyProblem {
  return problem(
    path,
    'directory',
    `identity file ${path} is a directory, not a private key`,
    `name the key file itself, e.g. ${join(path, 'id_ed25519')}`,
  );
}

/** What a key file's bytes are: a usable private key (encrypted or not) gives undefined. */
export function judgeKeyData(path: string, data: Buffer): KeyProblem | undefined {
  const parsed = ssh2.utils.parseKey(data);
  // An encrypted private key is fine here: its passphrase is asked when the key is needed.
  if (parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)) return undefined;
  const isPublic =
    parsed instanceof Error ? PUBLIC_KEY_TEXT.test(data.toString('latin1', 0, 200)) : !parsed.isPrivateKey();
  if (isPublic) {
    const privatePath = path.endsWith('.pub') ? path.slice(0, -'.pub'.length) : undefined;
    return problem(
      path,
      'public',
      `identity file ${path} is a public key, not a private key`,
      privatePath && existsSync(privatePath)
        ? `use ${privatePath} (the private key is the file without .pub)`
        : 'name the private key: ssh-keygen writes it beside the .pub file, without the extension',
    );
  }
  if (parsed instanceof Error) {
    return problem(
      path,
      'invalid',
      `identity file ${path} is not a private key (${parsed.message})`,
      'name an OpenSSH or PEM private key, such as ssh-keygen writes',
    );
  }
  return undefined;
}

/** Reads and judges one identity file; undefined when it is a private key. */
export async function inspectIdentityFile(
  path: string,
  read: (path: string) => Promise<Buffer> = readFile,
): Promise<KeyProblem | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return directoryKey(path);
    if (!info.isFile())
      return problem(path, 'invalid', `identity file ${path} is not a regular file`, 'name the private key file');
    return judgeKeyData(path, await read(path));
  } catch (error) {
    return unreadableKey(path, error);
  }
}

/** After the passphrase attempts for a key ran out. */
export function wrongPassphrase(path: string, attempts: number): KeyProblem {
  return problem(
    path,
    'passphrase',
    `wrong passphrase for ${path} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
    `check the passphrase with \`ssh-keygen -y -f ${path}\`, or load the key into ssh-agent (ssh-add ` +
      `${path}) and run again`,
  );
}

/**
 * Checks the identity files the operator configured, before any host is contacted: one usage
 * error (exit 2) naming the first bad file and the hosts that use it, the others in its details.
 */
export async function checkIdentityFiles(
  uses: ReadonlyArray<{ host: string; path: string }>,
  read: (path: string) => Promise<Buffer> = readFile,
): Promise<void> {
  const hostsOf = new Map<string, string[]>();
  for (const { host, path } of uses) hostsOf.set(path, [...(hostsOf.get(path) ?? []), host]);
  const problems: KeyProblem[] = [];
  for (const path of hostsOf.keys()) {
    const found = await inspectIdentityFile(path, read);
    if (found) problems.push(found);
  }
  const [first, ...others] = problems;
  if (!first) return;
  const usedBy = (p: KeyProblem) => `${p.path} is the identity file of ${[...new Set(hostsOf.get(p.path))].join(', ')}`;
  throw new HealError({
    code: `ssh.key.${first.kind}`,
    message: first.message,
    hint: first.hint,
    details: [usedBy(first), ...others.map((p) => `also: ${p.message}`), 'no host was contacted'],
    exitCode: ExitCode.usage,
  });
}
