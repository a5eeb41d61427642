// A record on every server host of who ran what against it, when, and how it ended (as Kamal keeps
// an audit log on each server): one JSON line per install, upgrade, restore, backup or uninstall,
// appended to AUDIT_LOG when the run ends, while the run still holds the host's lock. It lives
// outside /opt/heal-pyroscope, so uninstall (which removes exactly what install created) leaves the
// record of the removal. No secret is ever in it.

import type { HostHandle } from '../../remote/index.js';
import type { RunOutcome } from '../../runner/phase.js';
import type { LockOwner } from './lock-owner.js';

export const AUDIT_LOG = '/var/log/heal-pyroscope/audit.log';

export interface AuditEntry {
  /** When the run ended (ISO 8601, UTC). */
  time: string;
  /** user@machine of the operator. */
  by: string;
  command: LockOwner['command'];
  runId: string;
  /** The heal-pyroscope version that ran, when known. */
  version?: string;
  /** `ok`, or the error code the run failed with. */
  outcome: string;
  /** The server hosts the run held. */
  hosts: string[];
  /** What the run changed, phase by phase (`containers: 5 container(s) created`); none when it failed. */
  changed?: string[];
}

/**
 * Phases that change no host, though they run only for real: the lock (taken and released by the
 * run), install's verify (synthetic data only) and its record (the operator's local state file,
 * whose path is nobody's business on the host).
 */
const NOT_HOST_CHANGES = new Set(['lock', 'verify', 'record']);

export function auditLine(entry: AuditEntry): string {
  return JSON.stringify(entry);
}

export function auditEntry(
  owner: Pick<LockOwner, 'by' | 'command' | 'runId'>,
  outcome: RunOutcome,
  hosts: readonly string[],
  version?: string,
  now = new Date(),
): AuditEntry {
  return {
    time: now.toISOString(),
    by: owner.by,
    command: owner.command,
    runId: owner.runId,
    ...(version ? { version } : {}),
    outcome: outcome.ok ? 'ok' : outcome.code,
    hosts: [...hosts],
    ...(outcome.changed
      ? { changed: outcome.changed.filter((c) => !NOT_HOST_CHANGES.has(c.split(':')[0] ?? '')) }
      : {}),
  };
}

// $1 log file, $2 the line: appended (the directory made 0750 and the file 0640 on first use).
export const AUDIT_SCRIPT = 'umask 027; mkdir -p "${1%/*}" && printf \'%s\\n\' "$2" >>"$1"';

/**
 * Appends the line on every host; returns the hosts where it could not be written (a read-only
 * /var/log, a user that may not write it). The record never fails the run it records.
 */
export async function appendAudit(
  targets: ReadonlyArray<{ name: string; remote: Pick<HostHandle, 'exec'> }>,
  line: string,
): Promise<string[]> {
  const failed: string[] = [];
  await Promise.all(
    targets.map(async (t) => {
      const r = await t.remote
        .exec(['sh', '-c', AUDIT_SCRIPT, 'sh', AUDIT_LOG, line], { timeoutMs: 15_000 })
        .catch(() => ({ code: 1 }));
      if (r.code !== 0) failed.push(t.name);
    }),
  );
  return failed;
}

/** The last record of a host's audit log, as status shows it; null when it has none (or unreadable). */
export async function lastAuditEntry(remote: Pick<HostHandle, 'exec'>): Promise<AuditEntry | null> {
  const r = await remote.exec(['tail', '-n', '1', AUDIT_LOG], { timeoutMs: 15_000 }).catch(() => null);
  if (!r || r.code !== 0) return null;
  return parseAuditLine(r.stdout.trim());
}

/** One line of the log, if it is a record of ours (fields of the right types); else null. */
export function parseAuditLine(line: string): AuditEntry | null {
  try {
    const e = JSON.parse(line) as Partial<AuditEntry>;
    const text = (v: unknown) => typeof v === 'string';
    if (![e.time, e.by, e.command, e.runId, e.outcome].every(text) || !Array.isArray(e.hosts)) return null;
    return e as AuditEntry;
  } catch {
    return null;
  }
}
