import { describe, expect, it } from 'vitest';
import { networkPhase } from '../../../src/phases/install/network.js';
import { NETWORK_NAME } from '../../../src/stack/manifest.js';
import { fakeStack, plannedInstall, recordingIo } from '../support/fake-stack.js';

describe('network phase', () => {
  it('creates the network on every machine that runs one of our containers, its removal journalled once each', async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack);
    const io = recordingIo();
    expect(await networkPhase.run(ctx, io)).toBe(`${NETWORK_NAME} on web-01, app-01, db-01`);
    for (const host of [stack.web, stack.app, stack.db])
      expect(host.engine.calls).toEqual([`createNetwork ${NETWORK_NAME}`]);
    expect(io.changes().filter((c) => c.includes(NETWORK_NAME))).toHaveLength(3);
    await io.rollback();
    for (const host of [stack.web, stack.app, stack.db])
      expect(host.engine.calls).toContain(`removeNetwork ${NETWORK_NAME}`);
  });

  it("leaves the web host alone when the front door is the operator's own HAProxy", async () => {
    const stack = fakeStack();
    const ctx = await plannedInstall(stack, { frontDoor: 'external' });
    expect(networkPhase.dryRun!(ctx)).toEqual([
      `app-01: create network ${NETWORK_NAME} if missing`,
      `db-01: create network ${NETWORK_NAME} if missing`,
    ]);
    await networkPhase.run(ctx, recordingIo());
    expect(stack.web.engine.calls).toEqual([]);
  });
});
