// Fleet.close: every session at once, but a host reached through a bastion closes before the bastion.
import { describe, expect, it } from 'vitest';
import { Fleet } from '../../../src/remote/connect-all.js';
import type { SshSession } from '../../../src/remote/session.js';

function fakeSession(name: string, log: string[], via?: SshSession): SshSession {
  return {
    via,
    close: async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`end ${name}`);
    },
  } as unknown as SshSession;
}

describe('Fleet.close', () => {
  it('closes direct sessions together, and a bastion only after the sessions it carries', async () => {
    const log: string[] = [];
    const bastion = fakeSession('bastion', log);
    const inner = fakeSession('inner', log, bastion);
    const deeper = fakeSession('deeper', log, inner);
    const sessions = [bastion, fakeSession('a', log), inner, fakeSession('b', log), deeper];
    await new Fleet(new Map(), new Map(), sessions).close();
    expect(log.slice(0, 2)).toEqual(['start deeper', 'end deeper']);
    expect(log.slice(2, 4)).toEqual(['start inner', 'end inner']);
    // The direct ones, the bastion among them, start together: none waits for another.
    expect(log.slice(4, 7).sort()).toEqual(['start a', 'start b', 'start bastion']);
    expect(log).toHaveLength(10);
  });
});
