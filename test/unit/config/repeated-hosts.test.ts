import { describe, expect, it } from 'vitest';
import { repeatedHosts, repeatedHostsProblem } from '../../../src/config/repeated-hosts.js';

describe('hosts given twice', () => {
  it('reports the same target twice, ignoring case', () => {
    expect(repeatedHosts(['t1', 'svc-02', 'T1'])).toEqual([{ index: 2, first: 0, host: 'T1' }]);
  });

  it('treats one address on two SSH ports as two machines', () => {
    expect(repeatedHosts(['10.0.0.5', { host: '10.0.0.5', port: 2222 }])).toEqual([]);
  });

  it('treats a port left out as the default port', () => {
    expect(repeatedHosts(['10.0.0.5', { host: '10.0.0.5', port: 22 }], 22)).toHaveLength(1);
  });

  it('says which hosts are repeated, each once', () => {
    expect(repeatedHostsProblem(['a', 'b'])).toBeNull();
    expect(repeatedHostsProblem(['a', 'a', 'a'])).toBe('a is given twice (one machine is one target)');
  });
});
