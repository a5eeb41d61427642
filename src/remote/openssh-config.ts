// OpenSSH's own answer for a host: `ssh -G HOST` prints every option as ssh would use it (Include,
// Match, tokens and all). It prints defaults too, so the config is read through a small wrapper
// file that includes it and then sets markers for User and IdentityFile: a marker that comes
// through means the config left that value unset (a `User root` run as root is still "set").

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, HealError, isHealError } from '../errors.js';
import { runLocal } from '../local/process.js';
import { hostFromPairs, SYSTEM_CONFIG, type SshConfigHost, type SshConfigReader, type SshConfigSource } from './ssh-config.js';

export const UNSET_USER = 'heal-pyroscope-unset-user';
export const UNSET_IDENTITY = '/heal-pyroscope-unset-identity';
const TIMEOUT_MS = 10_000;
const MISSING = 'local.ssh-missing';

export interface HostReader {
  name: SshConfigReader;
  notes: string[];
  host(alias: string): Promise<SshConfigHost>;
  close(): Promise<void>;
}

/** Whether the OpenSSH client is on PATH (`ssh -V`). */
export async function hasOpenSsh(): Promise<boolean> {
  try {
    await runLocal(['ssh', '-V'], { timeoutMs: TIMEOUT_MS, purpose: 'read ssh_config with ssh -G', missingCode: MISSING });
    return true;
  } catch (error) {
    if (isHealError(error) && error.code === MISSING) return false;
    throw error;
  }
}

/** The wrapper: the config (and, as plain `ssh` reads it, the system file), then the markers. */
export function wrapperText(source: SshConfigSource): string {
  const include = (path: string) => `Include "${path.replaceAll('"', '')}"`;
  return [
    '# heal-pyroscope: the config below, then markers for the values it leaves unset',
    include(source.file),
    ...(source.explicit ? [] : [include(SYSTEM_CONFIG)]),
    'Host *',
    `  User ${UNSET_USER}`,
    `  IdentityFile ${UNSET_IDENTITY}`,
    '',
  ].join('\n');
}

/** `ssh -G` output (lower-case `key value` lines) as what the config set, markers removed. */
export function parseSshG(output: string): SshConfigHost {
  const pairs = output
    .split('\n')
    .map((line) => /^(\S+)\s+(.*)$/.exec(line.trim()))
    .flatMap((m) => (m ? [[m[1]!.toLowerCase(), m[2]!] as [string, string]] : []))
    .filter(([key, value]) => !(key === 'user' && value === UNSET_USER) && !(key === 'identityfile' && value === UNSET_IDENTITY));
  const host = hostFromPairs(pairs);
  // `ssh -G` always prints a port; 22 is OpenSSH's default, whether written or not.
  if (host.port === 22) delete host.port;
  return host;
}

export async function openSshReader(source: SshConfigSource): Promise<HostReader> {
  const dir = await mkdtemp(join(tmpdir(), 'heal-pyroscope-ssh-'));
  const wrapper = join(dir, 'config');
  await writeFile(wrapper, wrapperText(source), { mode: 0o600 });
  return {
    name: 'ssh -G',
    notes: [`ssh_config: ${source.file}${source.explicit ? '' : ` and ${SYSTEM_CONFIG}`}, read by \`ssh -G\` (OpenSSH)`],
    async host(alias) {
      // The alias is one argument after `--`: never a shell word, never an option.
      const result = await runLocal(['ssh', '-G', '-F', wrapper, '--', alias], {
        timeoutMs: TIMEOUT_MS,
        purpose: `read the SSH config of ${alias} with ssh -G`,
        missingCode: MISSING,
      });
      if (result.code !== 0) throw invalidConfig(alias, source.file, result.stderr);
      const host = parseSshG(result.stdout);
      const hostName = host.hostName?.toLowerCase() === alias.toLowerCase() ? undefined : host.hostName;
      const { hostName: _, ...rest } = host;
      return hostName === undefined ? rest : { ...rest, hostName };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

function invalidConfig(alias: string, file: string, stderr: string): HealError {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Pseudo-terminal/.test(l));
  return new HealError({
    code: 'config.ssh-config.invalid',
    message: `ssh -G cannot read the SSH config for ${alias}: ${lines[0] ?? 'it exited with an error'}`,
    hint: `fix the line it names in ${file} (\`ssh -G ${alias}\` shows the same), then run again`,
    details: lines.slice(1),
    exitCode: ExitCode.usage,
  });
}
