// ssh_config's IdentitiesOnly yes: the agent may sign, but only with the keys of the identity files
// (OpenSSH offers no other agent key). The public key of each file is read from FILE.pub, or from
// the private key itself when it is not encrypted; a key known by neither is not offered by the agent.

import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';

/** The public key blobs of the identity files that can be known without a passphrase. */
export async function identityBlobs(paths: readonly string[]): Promise<Buffer[]> {
  const blobs: Buffer[] = [];
  for (const path of paths) {
    for (const candidate of [`${path}.pub`, path]) {
      const data = await readFile(candidate).catch(() => undefined);
      if (!data) continue;
      const parsed = ssh2.utils.parseKey(data);
      if (parsed instanceof Error) continue;
      blobs.push(parsed.getPublicSSH());
      break;
    }
  }
  return blobs;
}

/** The agent at `socket`, listing only the keys whose public blob is one of `allowed`. */
export function identitiesOnlyAgent(socket: string, allowed: readonly Buffer[]): ssh2.OpenSSHAgent {
  const agent = new ssh2.OpenSSHAgent(socket);
  const list = agent.getIdentities.bind(agent);
  const blob = (key: unknown): Buffer | undefined => {
    const k = (key as { pubKey?: unknown }).pubKey ?? key;
    return typeof (k as ParsedKey).getPublicSSH === 'function' ? (k as ParsedKey).getPublicSSH() : undefined;
  };
  agent.getIdentities = (cb) =>
    list((err, keys) =>
      err
        ? cb(err)
        : cb(
            undefined,
            (keys ?? []).filter((k) => allowed.some((b) => blob(k)?.equals(b))),
          ),
    );
  return agent;
}
