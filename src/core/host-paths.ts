// Where the installer keeps things on a host: one directory per tier (web, app and db may share a
// machine, and each tier's files stay apart so uninstalling one never touches another), and the lock.

export const HOST_ROOT = '/opt/heal-pyroscope';
/** Under /run: a reboot ends any install, so it also ends the lock. */
export const LOCK_DIR = '/run/heal-pyroscope.lock';

/** A server tier (stack/manifest.ts's tiers but the target). */
export type ServerTierName = 'web' | 'app' | 'db';

export function tierDir(tier: ServerTierName): string {
  return `${HOST_ROOT}/${tier}`;
}
