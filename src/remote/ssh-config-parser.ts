// Reads ssh_config without the OpenSSH client, with the `ssh-config` package (Host and Match
// evaluation, first value wins, IdentityFile accumulates). What it cannot do as ssh does is said in
// the notes: `Match exec` is not run (its block does not apply: commands run only through
// src/local/process.ts), host names are not canonicalized, and an Include inside a Host or Match
// block is read as if that block matched.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { ExitCode, HealError } from '../core/errors.js';
import { globMatch } from './known-hosts.js';
import {
  hostFromPairs,
  SYSTEM_CONFIG,
  type HostReader,
  type SshConfigHost,
  type SshConfigSource,
} from './ssh-config-host.js';

const MAX_INCLUDE_DEPTH = 16;

export interface ExpandContext {
  /** Where a relative Include path points: ~/.ssh for user files, /etc/ssh for the system file. */
  includeBase: string;
  home: string;
  read: (path: string) => string;
  /** The files a pattern names, sorted (as glob(3) returns them). */
  glob: (pattern: string) => string[];
  notes: Set<string>;
}

/** The config text with each Include replaced by the files it names, inside the block it stood in. */
export function expandIncludes(text: string, ctx: ExpandContext, depth = 0): string {
  let header: string | undefined;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\w+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    const keyword = m?.[1]?.toLowerCase();
    if (keyword === 'host' || keyword === 'match') header = line;
    if (keyword === 'canonicalizehostname' || keyword === 'canonicaldomains') {
      ctx.notes.add('CanonicalizeHostname is not applied by the ssh-config parser (install the OpenSSH client for it)');
      continue;
    }
    if (/^\s*match\b.*\bexec\b/i.test(line))
      ctx.notes.add('`Match exec` blocks do not apply: the ssh-config parser does not run their commands');
    if (keyword !== 'include') {
      out.push(line);
      continue;
    }
    if (depth >= MAX_INCLUDE_DEPTH) throw includeLoop(line);
    if (header !== undefined)
      ctx.notes.add(`an Include inside "${header.trim()}" is read as if that block applied (the ssh-config parser)`);
    for (const pattern of words(m?.[2] ?? '')) {
      const path = pattern.startsWith('~/')
        ? join(ctx.home, pattern.slice(2))
        : isAbsolute(pattern)
          ? pattern
          : join(ctx.includeBase, pattern);
      for (const file of ctx.glob(path)) {
        // The included file's first lines and the lines after it belong to the block the Include stood in.
        out.push(header ?? 'Host *', expandIncludes(ctx.read(file), ctx, depth + 1), header ?? 'Host *');
      }
    }
  }
  return out.join('\n');
}

function words(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function includeLoop(line: string): HealError {
  return new HealError({
    code: 'config.ssh-config.include-loop',
    message:
      `SSH config Includes nest deeper than ${MAX_INCLUDE_DEPTH} files at "${line.trim()}": they ` +
      `probably include each other`,
    hint: 'check the Include lines of your ssh_config',
    exitCode: ExitCode.usage,
  });
}

/** glob(3) for a pattern whose wildcards are in its last component (`~/.ssh/config.d/*`). */
export function globFiles(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return existsFile(pattern) ? [pattern] : [];
  const dir = dirname(pattern);
  const name = pattern.slice(dir.length + 1);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.startsWith('.') && globMatch(name, e))
    .sort()
    .map((e) => join(dir, e))
    .filter(existsFile);
}

function existsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What the expanded text sets for one alias: the parser's computation, keys lower-cased. */
export function computeHost(text: string, alias: string): SshConfigHost {
  const computed = SSHConfig.parse(text).compute(alias, { ignoreCase: true, matchExec: false });
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(computed)) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([key.toLowerCase(), v]);
  }
  const host = hostFromPairs(pairs);
  if (host.hostName?.toLowerCase() === alias.toLowerCase()) delete host.hostName;
  return host;
}

export function parserReader(
  source: SshConfigSource,
  read = (path: string) => readFileSync(path, 'utf8'),
): Promise<HostReader> {
  const notes = new Set<string>();
  const readIfThere = (path: string): string => {
    try {
      return read(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return '';
      throw new HealError({
        code: 'config.ssh-config.unreadable',
        message: `cannot read SSH config ${path} (${code ?? (error as Error).message})`,
        hint: 'make it readable by the user running heal-pyroscope, or name another with --ssh-config',
        exitCode: ExitCode.usage,
      });
    }
  };
  const ctx = (includeBase: string): ExpandContext => ({
    includeBase,
    home: source.home,
    read: readIfThere,
    glob: globFiles,
    notes,
  });
  const user = expandIncludes(readIfThere(source.file), ctx(join(source.home, '.ssh')));
  // As plain `ssh`: the user's file first, then the system file (not with an explicit file, as `ssh -F`).
  const text = source.explicit
    ? user
    : `${user}\nHost *\n${expandIncludes(readIfThere(SYSTEM_CONFIG), ctx(dirname(SYSTEM_CONFIG)))}`;
  return Promise.resolve({
    name: 'ssh-config parser',
    notes: [
      `ssh_config: ${source.file}${source.explicit ? '' : ` and ${SYSTEM_CONFIG}`}, read by the ssh-config ` +
        `parser (no OpenSSH client on PATH)`,
      ...notes,
    ],
    host: (alias) => Promise.resolve(computeHost(text, alias)),
    close: () => Promise.resolve(),
  });
}
