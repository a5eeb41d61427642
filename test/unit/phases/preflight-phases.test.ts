import { describe, expect, it } from 'vitest';
import { HealError } from '../../../src/core/errors.js';
import { Inventory } from '../../../src/hosts/inventory.js';
import { guardPhase, guardWarningPhase } from '../../../src/phases/shared/guard.js';
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

  it('fails closed on a host whose probe fails: install refuses (exit 3), the other commands warn', async () => {
    const probeFails = () => {
      const ctx = unreachable();
      const app = ctx.hosts.hosts.find((h) => h.serves('app'));
      if (!app) throw new Error('no app host');
      app.connectError = undefined;
      app.connection = {
        exec: async () => {
          throw new Error('command timed out after 15000 ms');
        },
      } as unknown as NonNullable<typeof app.connection>;
      return { ctx, name: app.name };
    };
    const refused = probeFails();
    const result = await runPhases([guardPhase], refused.ctx);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ code: 'guard.production', exitCode: 3 });
    expect(result.error?.message).toContain(`could not read everything on ${refused.name}`);
    expect(result.error?.details).toEqual([
      `${refused.name}: could not read the probe, which failed (command timed out after 15000 ms) ` +
        '(the guard refuses what it cannot read)',
    ]);
    const warned = probeFails();
    const warning = await runPhases([guardWarningPhase], warned.ctx);
    expect(warning.ok).toBe(true);
    expect(warning.phases[0]).toMatchObject({ status: 'done', verdict: 'warn' });
    expect(warning.phases[0]?.summary).toContain(`${warned.name}: could not read the probe`);
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
