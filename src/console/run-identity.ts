// Who runs a command that changes hosts, and which run it is: the lock names both, and a run's id
// names what it keeps for rollback. Shared by install and uninstall.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';

export function installerVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
}

export function runId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function operatorName(): string {
  return `${userInfo().username}@${hostname()}`;
}
