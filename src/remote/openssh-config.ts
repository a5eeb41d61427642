// OpenSSH's own answer for a host: `ssh -G HOST` prints every option as ssh would use it (Include,
// Match, tokens and all). It prints defaults too, so the config is read through a small wrapper
// file that includes it and then sets markers for User and IdentityFile: a marker that comes
// through means the config left that value unset (a `User root` run as root is still "set").

import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { group } from '../core/defined.js';
import { ExitCode, HealError, isHealError } from '../core/errors.js';
import { runLocal } from '../local/process.js';
import {
  hostFromPairs,
  SYSTEM_CONFIG,
  type HostReader,
  type SshConfigHost,
  type SshConfigSource,
} from './ssh-config-host.js';

export type { HostReader };

export const UNSET_USER = 'heal-pyroscope-unset-user';
export const UNSET_IDENTITY = '/heal-pyroscope-unset-identity';
const TIMEOUT_MS = 10_000;
const MISSING = 'local.ssh-missing';

// Every alias's `ssh -G` from one shell, all at once: the CLI forks once, not once per host (100
// forks of a 100 MB Node process cost ~0.5 s of its CPU, more on a loaded machine). Aliases are
// arguments, never shell words; each answer goes to its own files, as one `ssh -G` run gives it.
const BATCH_SCRIPT = `w=$1 d=$2; shift 2; i=0
for a in "$@"; do { ssh -G -F "$w" -- "$a" >"$d/$i.out" 2>"$d/$i.err"; echo $? >"$d/$i.rc"; } & i=$((i+1)); done; wait`;

/** Whether the OpenSSH client is on PATH (`ssh -V`). */
export async function hasOpenSsh(): Promise<boolean> {
  try {
    await runLocal(['ssh', '-V'], {
      timeoutMs: TIMEOUT_MS,
      purpose: 'read ssh_config with ssh -G',
      missingCode: MISSING,
    });
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
    .flatMap((m): Array<[string, string]> => (m ? [[group(m, 1).toLowerCase(), group(m, 2)]] : []))
    .filter(
      ([key, value]) =>
        !(key === 'user' && value === UNSET_USER) && !(key === 'identityfile' && value === UNSET_IDENTITY),
    );
  const host = hostFromPairs(pairs);
  // `ssh -G` always prints a port; 22 is OpenSSH's default, whether written or not.
  if (host.port === 22) delete host.port;
  return host;
}

export async function openSshReader(source: SshConfigSource): Promise<HostReader> {
  const dir = await mkdtemp(join(tmpdir(), 'heal-pyroscope-ssh-'));
  const wrapper = join(dir, 'config');
  await writeFile(wrapper, wrapperText(source), { mode: 0o600 });
  const reader: HostReader = {
    name: 'ssh -G',
    notes: [
      `ssh_config: ${source.file}${source.explicit ? '' : ` and ${SYSTEM_CONFIG}`}, read by \`ssh -G\` (OpenSSH)`,
    ],
    async host(alias) {
      // The alias is one argument after `--`: never a shell word, never an option.
      const result = await runLocal(['ssh', '-G', '-F', wrapper, '--', alias], {
        timeoutMs: TIMEOUT_MS,
        purpose: `read the SSH config of ${alias} with ssh -G`,
        missingCode: MISSING,
      });
      return answerFor(alias, source.file, result);
    },
    async hosts(aliases) {
      if (aliases.length <= 1) return Promise.all(aliases.map((a) => reader.host(a)));
      const alike = aliases.length >= ALIKE_FROM ? await sameForEveryHost(source, wrapper, aliases) : undefined;
      if (alike) return alike;
      const out = await mkdtemp(join(dir, 'batch-'));
      try {
        await runLocal(['sh', '-c', BATCH_SCRIPT, 'sh', wrapper, out, ...aliases], {
          timeoutMs: TIMEOUT_MS + aliases.length * 200,
          purpose: `read the SSH config of ${aliases.length} hosts with ssh -G`,
          missingCode: MISSING,
        });
        const read = (i: number, ext: string) => readFile(join(out, `${i}.${ext}`), 'utf8').catch(() => '');
        const answers = await Promise.all(
          aliases.map(async (alias, i) => {
            const code = Number((await read(i, 'rc')).trim() || '255');
            return { alias, result: { code, stdout: await read(i, 'out'), stderr: await read(i, 'err') } };
          }),
        );
        return answers.map(({ alias, result }) => answerFor(alias, source.file, result));
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
  return reader;
}

// Below this many aliases, one ssh -G each (all at once) costs less than reading the files to tell
// whether they could differ (the ssh-config parser's module alone is ~25 ms of CPU; an ssh -G ~6 ms).
const ALIKE_FROM = 8;
// Names ssh takes as they are (a host name, an IPv4 or IPv6 address): others are asked one by one.
const PLAIN_HOST = /^[a-z0-9_][a-z0-9_.:-]*$/i;

/**
 * A config that says nothing host-specific (every Host line is `Host *`, no Match, no %-token, no
 * canonicalization, Includes followed) gives every host the same answer, its own name aside: ask
 * `ssh -G` for the first and the last alias only, and when both agree (host and hostname lines
 * aside), answer the others alike. 100 aliases: 2 ssh -G instead of 100 (about 6 ms of CPU each).
 * Anything else, an unreadable file or a refused alias included, is left to one ssh -G per alias.
 */
async function sameForEveryHost(
  source: SshConfigSource,
  wrapper: string,
  aliases: readonly string[],
): Promise<SshConfigHost[] | undefined> {
  if (!aliases.every((a) => PLAIN_HOST.test(a))) return undefined;
  try {
    if (!(await nothingHostSpecific(source))) return undefined;
  } catch {
    return undefined;
  }
  const [firstAlias] = aliases;
  const lastAlias = aliases.at(-1);
  // The caller asks with ALIKE_FROM aliases or more; with none there is nothing to share.
  if (firstAlias === undefined || lastAlias === undefined) return undefined;
  const ask = (alias: string) =>
    runLocal(['ssh', '-G', '-F', wrapper, '--', alias], {
      timeoutMs: TIMEOUT_MS,
      purpose: `read the SSH config of ${alias} with ssh -G`,
      missingCode: MISSING,
    });
  const [first, last] = await Promise.all([ask(firstAlias), ask(lastAlias)]);
  if (first.code !== 0 || last.code !== 0) return undefined;
  // `host` and `hostname` name the alias itself when the config sets no HostName.
  const own = (out: string, alias: string) =>
    out
      .split('\n')
      .map((line) =>
        line.replace(/^(host|hostname) (.*)$/i, (l, key: string, value: string) =>
          value.toLowerCase() === alias.toLowerCase() ? `${key} %ALIAS%` : l,
        ),
      );
  const template = own(first.stdout, firstAlias);
  if (template.join('\n') !== own(last.stdout, lastAlias).join('\n')) return undefined;
  return aliases.map((alias) =>
    answerFor(alias, source.file, {
      code: 0,
      stdout: template.map((l) => l.replace('%ALIAS%', alias.toLowerCase())).join('\n'),
      stderr: '',
    }),
  );
}

/** Whether the config (and the files it includes, as ssh reads them) has nothing that depends on the host. */
async function nothingHostSpecific(source: SshConfigSource): Promise<boolean> {
  const { expandIncludes, globFiles } = await import('./ssh-config-parser.js');
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  };
  const notes = new Set<string>();
  const expand = (file: string, includeBase: string) =>
    expandIncludes(read(file), { includeBase, home: source.home, read, glob: globFiles, notes });
  const texts = [
    expand(source.file, join(source.home, '.ssh')),
    ...(source.explicit ? [] : [expand(SYSTEM_CONFIG, dirname(SYSTEM_CONFIG))]),
  ];
  // The parser notes (and drops) canonicalization: that makes the host name matter.
  if (notes.size > 0) return false;
  for (const raw of texts.join('\n').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('%')) return false;
    const m = /^(\w+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    const keyword = m?.[1]?.toLowerCase();
    if (keyword === 'match' || keyword?.startsWith('canonical')) return false;
    if (
      keyword === 'host' &&
      (m?.[2] ?? '')
        .trim()
        .split(/\s+/)
        .some((p) => p !== '*' && p !== '"*"')
    )
      return false;
  }
  return true;
}

function answerFor(
  alias: string,
  file: string,
  result: { code: number | null; stdout: string; stderr: string },
): SshConfigHost {
  if (result.code !== 0) throw invalidConfig(alias, file, result.stderr);
  const host = parseSshG(result.stdout);
  const hostName = host.hostName?.toLowerCase() === alias.toLowerCase() ? undefined : host.hostName;
  const { hostName: _, ...rest } = host;
  return hostName === undefined ? rest : { ...rest, hostName };
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
