import { describe, expect, it } from 'vitest';
import { Gates } from '../../../src/runner/gates.js';

describe('gates: one machine ready before the others', () => {
  it('does not wait for a key nobody armed', async () => {
    await expect(new Gates().wait('db-01')).resolves.toBeUndefined();
  });

  it('waits for an armed key until it opens', async () => {
    const gates = new Gates();
    gates.arm(['db-01', 'app-01']);
    let opened = false;
    const waiting = gates.wait('db-01').then(() => (opened = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(opened).toBe(false);
    gates.open('db-01');
    await waiting;
    expect(opened).toBe(true);
  });

  it('fails a waiter with the failure of its own key, and the rest when the working phase ends', async () => {
    const gates = new Gates();
    gates.arm(['db-01', 'app-01', 'web-01']);
    gates.open('web-01');
    gates.fail('db-01', new Error('pull of minio failed'));
    gates.failRest(new Error('ended early'));
    await expect(gates.wait('db-01')).rejects.toThrow('pull of minio failed');
    await expect(gates.wait('app-01')).rejects.toThrow('ended early');
    await expect(gates.wait('web-01')).resolves.toBeUndefined();
  });
});
