// Who holds a host lock, as stored in the lock directory: enough to tell the operator who to ask.

import type { RunOutcome } from '../../runner/phase.js';

export interface LockOwner {
  by: string;
  command: 'install' | 'uninstall' | 'backup' | 'restore';
  pid: number;
  startedAt: string;
  runId: string;
}

export interface JournalLike {
  finally(description: string, action: (outcome: RunOutcome) => Promise<void>): void;
}

export function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text.trim()) as LockOwner;
    return typeof owner.by === 'string' && typeof owner.startedAt === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

export function describeOwner(owner: LockOwner): string {
  return `${owner.command} started by ${owner.by} at ${owner.startedAt} (pid ${owner.pid})`;
}
