// Phase: a lock on every server machine, so two installs or uninstalls never run against the same
// hosts at once. `mkdir` is atomic; the directory holds who took it and when. --force-unlock clears
// a lock left by a run that died.

import { HealError } from '../../core/errors.js';
import type { JournalLike, LockOwner } from './lock-owner.js';
import { describeOwner, parseOwner } from './lock-owner.js';
import { LOCK_DIR } from '../../core/host-paths.js';
import { appendAudit, AUDIT_LOG, auditEntry, auditLine } from './audit.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { HostHandle } from '../../remote/index.js';
import type { Phase } from '../../runner/phase.js';

// $1 dir, $2 owner JSON, $3 1 to clear a stale lock first. Exit 0 taken; 3 held (owner on stdout);
// 4 the lock cannot be made or cleared (why on stderr). Only a lock directory that exists is "held":
// a mkdir that fails for another reason (no permission, a read-only /run) says so.
export const LOCK_SCRIPT = `if [ "$3" = 1 ] && [ -e "$1" ]; then
  rm -rf "$1" 2>/dev/null || { echo "cannot clear the lock $1 (--force-unlock): permission denied" >&2; exit 4; }
fi
if e=$(mkdir -m 700 "$1" 2>&1); then printf '%s\\n' "$2" >"$1/owner"; exit 0; fi
if [ -d "$1" ]; then cat "$1/owner" 2>/dev/null; exit 3; fi
printf '%s\\n' "$e" >&2; exit 4`;
// $1 dir, $2 run id: removes the lock only if this run holds it.
export const UNLOCK_SCRIPT = `grep -qF "\\"runId\\":\\"$2\\"" "$1/owner" 2>/dev/null && rm -rf "$1"; exit 0`;

export interface LockTarget {
  name: string;
  remote: Pick<HostHandle, 'exec'>;
}

/** Takes the lock on every target (in order); on a refusal, releases those already taken. */
export async function acquireLocks(
  targets: readonly LockTarget[],
  owner: LockOwner,
  force: boolean,
  journal: JournalLike,
): Promise<void> {
  const text = JSON.stringify(owner);
  for (const target of targets) {
    const result = await target.remote.exec(['sh', '-c', LOCK_SCRIPT, 'sh', LOCK_DIR, text, force ? '1' : '0'], {
      timeoutMs: 15_000,
    });
    if (result.code === 3) {
      const holder = parseOwner(result.stdout);
      throw new HealError({
        code: 'lock.held',
        message:
          `${target.name} is locked: ` +
          `${holder ? describeOwner(holder) : 'by another heal-pyroscope run'}; nothing was changed`,
        hint:
          `wait for that run to finish; if it died, run again with --force-unlock (the lock is ` +
          `${LOCK_DIR} on ${target.name})`,
      });
    }
    if (result.code !== 0) {
      throw new HealError({
        code: 'lock.failed',
        message:
          `cannot take the lock on ${target.name}: ${result.stderr.trim() || `exit ${result.code}`}; ` +
          'nothing was changed',
        hint:
          `the lock is ${LOCK_DIR} on ${target.name}, made as root (over SSH, or through Docker's helper ` +
          'container for a non-root user): check that /run on it is writable',
      });
    }
    journal.finally(`unlock ${target.name}`, async () => {
      await target.remote.exec(['sh', '-c', UNLOCK_SCRIPT, 'sh', LOCK_DIR, owner.runId], { timeoutMs: 15_000 });
    });
  }
}

export function lockPhase<
  C extends {
    hosts: Inventory;
    operator: string;
    runId: string;
    options: { forceUnlock: boolean };
    installerVersion?: string;
  },
>(command: LockOwner['command']): Phase<C> {
  return {
    id: 'lock',
    title: 'Lock the hosts',
    async run(ctx, io) {
      // Every server machine that is connected (uninstall goes on without an unreachable one).
      const targets = ctx.hosts
        .servers()
        .filter((h) => h.connection)
        .map((h): LockTarget => ({ name: h.name, remote: h.remote.root }));
      const owner: LockOwner = {
        by: ctx.operator,
        command,
        pid: process.pid,
        startedAt: new Date().toISOString(),
        runId: ctx.runId,
      };
      // Holding the lock, the run may pull the image of a non-root user's root helper (a change install records).
      for (const h of ctx.hosts.servers()) h.connection?.root.allowPull();
      await acquireLocks(targets, owner, ctx.options.forceUnlock, io.journal);
      // Registered after the unlocks, so it runs before them: the record is written under the lock.
      io.journal.finally("record the run in the hosts' audit log", async (outcome) => {
        const entry = auditEntry(
          owner,
          outcome,
          targets.map((t) => t.name),
          ctx.installerVersion,
        );
        await appendAudit(targets, auditLine(entry));
      });
      return `${targets.length} host(s) locked`;
    },
    dryRun: () => [
      'lock every server host for the duration of the run',
      `append who ran it, and how it ended, to ${AUDIT_LOG} on each`,
    ],
  };
}
