import { describe, expect, it } from 'vitest';
import { addressCheck } from '../../../src/checks/addresses.js';
import type { CheckContext, CheckResult } from '../../../src/checks/check.js';
import { serverAddressProblem } from '../../../src/config/server-addresses.js';
import { machine } from '../checks/fixtures.js';

const one = (r: CheckResult[] | Promise<CheckResult[]>) => (r as CheckResult[])[0]!;

describe('addresses that go into container configs', () => {
  it('refuses loopback names and addresses: inside a container they are the container', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '127.0.0.1',
      '127.0.1.1',
      '127.255.255.254',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
    ]) {
      expect(serverAddressProblem(host), host).toMatch(/loopback/);
    }
  });

  it('refuses the unspecified addresses', () => {
    expect(serverAddressProblem('0.0.0.0')).toMatch(/unspecified/);
    expect(serverAddressProblem('::')).toMatch(/unspecified/);
  });

  it('refuses IPv6 literals with a clear cause (not supported yet)', () => {
    expect(serverAddressProblem('fd00::12')).toMatch(/IPv6 .* not support/);
  });

  it('accepts network addresses and names', () => {
    for (const host of ['10.213.0.12', 'app-01.internal', 'app-01', '128.0.0.1'])
      expect(serverAddressProblem(host), host).toBeNull();
  });

  it('fails the preflight check of a machine configured as loopback, even without a connection', () => {
    const state = machine('app-01', ['app']);
    (state.entries[0] as { host: string }).host = '127.0.0.1';
    const r = one(addressCheck.run(state, {} as CheckContext));
    expect(r).toMatchObject({ id: 'hosts.address', status: 'fail' });
    expect(r.summary).toContain('loopback');
    expect(addressCheck.offline).toBe(true);
    expect(one(addressCheck.run(machine('app-01', ['app']), {} as CheckContext)).status).toBe('pass');
  });
});
