// What the production guard looks at on one host, and how that is read from the host's answers.
// Parsing is pure; the probe command is built here as an argument array, run by src/remote.
import { group } from '../core/defined.js';

export interface HostEvidence {
  /** The host's display name in the topology. */
  host: string;
  /** The kernel's hostname. */
  hostname?: string;
  fqdn?: string;
  /** The first line of /etc/hostname: the name the host boots with, which may differ. */
  configuredHostname?: string;
  /** Variables from /etc/environment. */
  environment: Record<string, string>;
  /** Marker files that exist on the host. */
  markerFiles: string[];
  /** Docker engine labels (`key=value`), when the host runs an engine. */
  dockerLabels: string[];
}

// Marker paths arrive as positional parameters, never inside the script text. Files are read with
// the shell's own `read` (no process per file): on 100 hosts every process a probe starts counts.
// The kernel's hostname is /proc/sys/kernel/hostname (what `hostname` prints); the FQDN needs the
// resolver, so `hostname -f` stays. A last line without a newline is still printed.
export function probeScript(files = { etcHostname: '/etc/hostname', environment: '/etc/environment' }): string {
  return [
    'h=; { read -r h </proc/sys/kernel/hostname; } 2>/dev/null || h=$(hostname 2>/dev/null)',
    'printf "hostname=%s\\n" "$h"',
    'printf "fqdn=%s\\n" "$(hostname -f 2>/dev/null)"',
    `e=; { IFS= read -r e <'${files.etcHostname}'; } 2>/dev/null`,
    'printf "etc-hostname=%s\\n" "$e"',
    'echo "--- environment"',
    `{ while IFS= read -r l || [ -n "$l" ]; do printf "%s\\n" "$l"; done <'${files.environment}'; } 2>/dev/null`,
    'echo "--- markers"',
    'for f in "$@"; do if [ -e "$f" ]; then printf "%s\\n" "$f"; fi; done',
    'echo "--- end"',
  ].join('\n');
}

const PROBE_SCRIPT = probeScript();

/** argv for the remote probe: `sh -c SCRIPT sh MARKER...`; `andThen` runs in the same command. */
export function evidenceProbe(markerFiles: readonly string[], andThen = ''): string[] {
  return ['sh', '-c', andThen ? `${PROBE_SCRIPT}\n${andThen}` : PROBE_SCRIPT, 'sh', ...markerFiles];
}

export function parseProbeOutput(host: string, stdout: string, dockerLabels: string[] = []): HostEvidence {
  const lines = stdout.split('\n');
  const value = (key: string) =>
    lines
      .find((l) => l.startsWith(`${key}=`))
      ?.slice(key.length + 1)
      .trim() || undefined;
  const section = (name: string) => {
    const start = lines.indexOf(`--- ${name}`);
    if (start < 0) return [];
    const end = lines.findIndex((l, i) => i > start && l.startsWith('--- '));
    return lines.slice(start + 1, end < 0 ? undefined : end);
  };
  return {
    host,
    hostname: value('hostname'),
    fqdn: value('fqdn'),
    configuredHostname: value('etc-hostname'),
    environment: parseEnvironmentFile(section('environment').join('\n')),
    markerFiles: section('markers').filter((l) => l !== ''),
    dockerLabels,
  };
}

/** /etc/environment: `KEY=value`, optionally quoted, optionally prefixed by `export`; comments ignored. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = group(m, 2);
    if (
      (v.startsWith('"') && v.endsWith('"') && v.length >= 2) ||
      (v.startsWith("'") && v.endsWith("'") && v.length >= 2)
    )
      v = v.slice(1, -1);
    env[group(m, 1)] = v;
  }
  return env;
}
