// What the production guard looks at on one host, and how that is read from the host's answers.
// Parsing is pure; the probe command is built here as an argument array, run by src/remote.
// The guard fails closed: whatever the probe could not read is evidence too (`unreadable`).
import { group } from '../core/defined.js';

/** One variable assignment, where it was found. */
export interface VariableEvidence {
  /** The file and line it was read from: `/etc/profile.d/env.sh:3`. */
  source: string;
  name: string;
  value: string;
}

export interface HostEvidence {
  /** The host's display name in the topology. */
  host: string;
  /** The kernel's hostname. */
  hostname?: string;
  fqdn?: string;
  /** The first line of /etc/hostname: the name the host boots with, which may differ. */
  configuredHostname?: string;
  /** Assignments in /etc/environment, /etc/profile.d/*.sh and systemd's DefaultEnvironment=. */
  variables: VariableEvidence[];
  /** Marker files that exist on the host. */
  markerFiles: string[];
  /** Docker engine labels (`key=value`), when the host runs an engine. */
  dockerLabels: string[];
  /** What could not be read (a file, a directory, the probe itself): the guard refuses the host. */
  unreadable: string[];
}

/** The files whose variables the guard reads, in the order a login reads them. */
export const VARIABLE_FILES = [
  '/etc/environment',
  '/etc/profile.d/*.sh',
  '/etc/systemd/system.conf',
  '/etc/systemd/system.conf.d/*.conf',
] as const;

/** Directories whose files are globbed: one the user cannot list hides its files. */
const VARIABLE_DIRS = ['/etc/profile.d', '/etc/systemd/system.conf.d'];

/** The line after the guard's sections: without it, the probe did not run to its end. */
export const GUARD_END = '--- guard-end';

// Marker paths arrive as positional parameters, never inside the script text. Files are read with
// the shell's own `read` (no process per file): on 100 hosts every process a probe starts counts.
// Every line read from a file is printed behind `| `, so a file's text cannot forge a section or a
// status line. A file or directory that exists but cannot be read is printed as `! PATH`.
// The kernel's hostname is /proc/sys/kernel/hostname (what `hostname` prints); the FQDN needs the
// resolver, so `hostname -f` stays. A last line without a newline is still printed.
export function probeScript(
  files: { etcHostname: string; variableFiles: readonly string[]; variableDirs: readonly string[] } = {
    etcHostname: '/etc/hostname',
    variableFiles: VARIABLE_FILES,
    variableDirs: VARIABLE_DIRS,
  },
): string {
  return [
    'h=; { read -r h </proc/sys/kernel/hostname; } 2>/dev/null || h=$(hostname 2>/dev/null)',
    'printf "hostname=%s\\n" "$h"',
    'printf "fqdn=%s\\n" "$(hostname -f 2>/dev/null)"',
    `e=; if [ -e '${files.etcHostname}' ]; then`,
    `  { IFS= read -r e || :; } <'${files.etcHostname}' 2>/dev/null || printf "! %s\\n" '${files.etcHostname}'`,
    'fi',
    'printf "etc-hostname=%s\\n" "$e"',
    'echo "--- variables"',
    `for d in ${files.variableDirs.map((d) => `'${d}'`).join(' ')}; do`,
    '  if [ -d "$d" ] && { [ ! -r "$d" ] || [ ! -x "$d" ]; }; then printf "! %s\\n" "$d"; fi',
    'done',
    // Globs stay unquoted so the shell expands them; a pattern that matches nothing is skipped.
    `for f in ${files.variableFiles.map((f) => f.replace(/[^*]+/g, (part) => `'${part}'`)).join(' ')}; do`,
    '  [ -e "$f" ] || continue',
    '  printf "@ %s\\n" "$f"',
    '  { while IFS= read -r l || [ -n "$l" ]; do printf "| %s\\n" "$l"; done <"$f"; } 2>/dev/null ||',
    '    printf "! %s\\n" "$f"',
    'done',
    'echo "--- markers"',
    'for f in "$@"; do',
    '  if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\\n" "$f"',
    // A marker below a directory the user cannot search cannot be seen: that is not "absent".
    '  elif [ -e "${f%/*}" ] && [ ! -x "${f%/*}" ]; then printf "! %s\\n" "$f"; fi',
    'done',
    `echo "${GUARD_END}"`,
  ].join('\n');
}

const PROBE_SCRIPT = probeScript();

/** argv for the remote probe: `sh -c SCRIPT sh MARKER...`; `andThen` runs in the same command. */
export function evidenceProbe(markerFiles: readonly string[], andThen = ''): string[] {
  return ['sh', '-c', andThen ? `${PROBE_SCRIPT}\n${andThen}` : PROBE_SCRIPT, 'sh', ...markerFiles];
}

/** What the probe's exit told: a non-zero status or no end line means the evidence is incomplete. */
export interface ProbeExit {
  code: number | null;
  stderr: string;
}

export function parseProbeOutput(
  host: string,
  stdout: string,
  dockerLabels: string[] = [],
  exit: ProbeExit = { code: 0, stderr: '' },
): HostEvidence {
  const lines = stdout.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const endAt = lines.indexOf(GUARD_END);
  const guardLines = endAt < 0 ? lines : lines.slice(0, endAt);
  const value = (key: string) =>
    guardLines
      .find((l) => l.startsWith(`${key}=`))
      ?.slice(key.length + 1)
      .trim() || undefined;
  const section = (name: string) => {
    const start = guardLines.indexOf(`--- ${name}`);
    if (start < 0) return [];
    const end = guardLines.findIndex((l, i) => i > start && l.startsWith('--- '));
    return guardLines.slice(start + 1, end < 0 ? undefined : end);
  };
  const unreadable = guardLines.filter((l) => l.startsWith('! ')).map((l) => l.slice(2));
  if (endAt < 0) unreadable.push(incompleteProbe(exit));
  else if (exit.code !== 0) unreadable.push(`the probe (${exitText(exit)})`);
  return {
    host,
    hostname: value('hostname'),
    fqdn: value('fqdn'),
    configuredHostname: value('etc-hostname'),
    variables: parseVariableSection(section('variables')),
    markerFiles: section('markers').filter((l) => l !== '' && !l.startsWith('! ')),
    dockerLabels,
    unreadable,
  };
}

function exitText(exit: ProbeExit): string {
  return exit.code === null ? 'no exit status' : `exit status ${exit.code}`;
}

/** Why the probe stopped short: its exit and the first line it wrote on stderr (a nologin shell's words). */
function incompleteProbe(exit: ProbeExit): string {
  const said = exit.stderr.split('\n').find((l) => l.trim() !== '');
  return `the probe, which stopped before its end (${exitText(exit)}${said ? `: ${said.trim().slice(0, 120)}` : ''})`;
}

/** `@ FILE` then `| LINE`s, per file: each file parsed by its own syntax, each value with its line. */
export function parseVariableSection(lines: readonly string[]): VariableEvidence[] {
  const found: VariableEvidence[] = [];
  let file: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (file !== undefined) found.push(...parseVariableFile(file, body.join('\n')));
    body = [];
  };
  for (const line of lines) {
    if (line.startsWith('@ ')) {
      flush();
      file = line.slice(2);
    } else if (line.startsWith('| ') || line === '|') body.push(line.slice(2));
  }
  flush();
  return found;
}

/** A file's assignments: systemd's `DefaultEnvironment=` in its .conf files, shell syntax elsewhere. */
export function parseVariableFile(file: string, text: string): VariableEvidence[] {
  return file.endsWith('.conf') ? parseSystemdDefaults(file, text) : parseShellAssignments(file, text);
}

/**
 * /etc/environment and profile scripts: `[export|readonly|declare -x] NAME=value ...` at the start of
 * a line (or after `;`), values optionally quoted, a `#` comment after them ignored.
 */
export function parseShellAssignments(file: string, text: string): VariableEvidence[] {
  const found: VariableEvidence[] = [];
  text.split('\n').forEach((raw, i) => {
    for (const statement of raw.split(/;(?=(?:[^"']|"[^"]*"|'[^']*')*$)/)) {
      let rest = statement.trim();
      if (rest === '' || rest.startsWith('#')) continue;
      rest = rest.replace(/^(?:export|readonly|declare\s+-\w+|typeset\s+-\w+|local)\s+/, '');
      for (;;) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/.exec(rest);
        if (!m) break;
        const { value, after } = shellValue(rest.slice(m[0].length));
        found.push({ source: `${file}:${i + 1}`, name: group(m, 1), value });
        rest = after.trimStart();
        if (rest.startsWith('#')) break;
      }
    }
  });
  return found;
}

/** One shell word: quoted pieces unquoted, ending at unquoted white space. */
function shellValue(text: string): { value: string; after: string } {
  let value = '';
  let i = 0;
  while (i < text.length && !/\s/.test(text.charAt(i))) {
    const c = text.charAt(i);
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      const end = close < 0 ? text.length : close;
      value += text.slice(i + 1, end);
      i = end + 1;
    } else {
      value += c;
      i += 1;
    }
  }
  return { value, after: text.slice(i) };
}

/** systemd's `DefaultEnvironment="A=b c" D=e`: space-separated words, each `NAME=value`. */
export function parseSystemdDefaults(file: string, text: string): VariableEvidence[] {
  const found: VariableEvidence[] = [];
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*DefaultEnvironment\s*=\s*(.*)$/.exec(raw);
    if (!m) return;
    let rest = group(m, 1).trim();
    while (rest !== '') {
      const { value, after } = shellValue(rest);
      const at = value.indexOf('=');
      if (at > 0) found.push({ source: `${file}:${i + 1}`, name: value.slice(0, at), value: value.slice(at + 1) });
      rest = after.trimStart();
    }
  });
  return found;
}
