// ssh_config files for the unit tests, and whether this machine has the OpenSSH client (`ssh -G`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasSsh = (() => {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `text` as a config file in a fresh dir (DIR in it names that dir), with `extra` files beside it. */
export function configFile(text: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hp-sshcfg-'));
  for (const [name, body] of Object.entries(extra)) writeFileSync(join(dir, name), body);
  const path = join(dir, 'config');
  writeFileSync(path, text.replaceAll('DIR', dir));
  return path;
}
