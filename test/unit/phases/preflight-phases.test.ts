import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { Inventory } from '../../../src/hosts/inventory.js';
import { guardPhase } from '../../../src/phases/shared/guard.js';
import { checksPhase, countsLine } from '../../../src/phases/preflight/checks-phase.js';
import { runPhases } from '../../../src/runner/runner.js';
import { topology } from '../support/fake-stack.js';

function unreachable() {
  const hosts = Inventory.of(topology());
  for (const h of hosts.hosts)
    h.connectError = new HealError({
      code: 'ssh.refused',
      message: `${h.address}:22 refused the connection`,
      hint: 'start sshd',
    });
  return { topology: topology(), hosts, report: { guard: [], preflight: [] as never[] } };
}

describe('preflight phases', () => {
  it('skips the production guard, with why, when no host could be read: it vouches for nothing', async () => {
    const result = await runPhases([guardPhase], unreachable());
    expect(result.phases[0]).toMatchObject({ status: 'skipped', summary: 'no host could be read' });
  });

  it('reports failed checks as a failed verdict without ending the run', async () => {
    const ctx = unreachable();
    const result = await runPhases([checksPhase<typeof ctx>(() => null)], ctx);
    expect(result.ok).toBe(true);
    expect(result.phases[0]).toMatchObject({ status: 'done', verdict: 'fail' });
    expect(result.phases[0]!.summary).toMatch(/3 failed/);
  });

  it('counts in words that agree with the numbers', () => {
    const r = (status: 'pass' | 'warn' | 'fail' | 'skip') => ({
      id: 'x',
      title: 'x',
      host: 'h',
      status,
      summary: '',
      evidence: [],
    });
    expect(countsLine([r('pass'), r('warn')])).toBe('1 passed, 1 warning');
    expect(countsLine([r('pass'), r('warn'), r('warn'), r('skip')])).toBe('1 passed, 2 warnings, 1 skipped');
  });
});
