// Where the installer keeps things on a host: one directory per tier (web, app and db may share a
// machine, and each tier's files stay apart so uninstalling one never touches another), and the lock.

import type { Tier } from '../stack/manifest.js';

export const HOST_ROOT = '/opt/heal-pyroscope';
/** Under /run: a reboot ends any install, so it also ends the lock. */
export const LOCK_DIR = '/run/heal-pyroscope.lock';

export function tierDir(tier: Exclude<Tier, 'target'>): string {
  return `${HOST_ROOT}/${tier}`;
}
