// Phase: every preflight check; a failure stops the install unless its id was given to
// --ignore-check (the production guard is not a check and cannot be ignored).

import { CHECK_IDS } from '../checks/catalogue.js';
import { runChecks } from '../checks/preflight.js';
import { ExitCode, HealError } from '../errors.js';
import type { InstallContext } from './context.js';
import type { Phase } from './phase.js';

export const PREFLIGHT_TIMEOUT_MS = 3000;

/** Unknown ids are a usage error, so a typo cannot silently ignore nothing. */
export function validateIgnoredChecks(ids: readonly string[]): void {
  const unknown = ids.filter((id) => !CHECK_IDS.includes(id));
  if (unknown.length > 0) {
    throw new HealError({
      code: 'usage.ignore-check',
      message: `unknown check id ${unknown.map((u) => JSON.stringify(u)).join(', ')} for --ignore-check`,
      hint: `check ids: ${CHECK_IDS.join(', ')} (the production guard cannot be ignored)`,
      exitCode: ExitCode.usage,
    });
  }
}

export const preflightPhase: Phase<InstallContext> = {
  id: 'preflight',
  title: 'Preflight checks',
  readOnly: true,
  async run(ctx, io) {
    const results = await runChecks({ topology: ctx.topology, machines: ctx.machines, probeTimeoutMs: PREFLIGHT_TIMEOUT_MS }, (e) => {
      if (e.type === 'result') io.progress(`${e.result.host} ${e.result.id}: ${e.result.status}`);
    });
    ctx.preflight = results;
    const failed = results.filter((r) => r.status === 'fail' && !ctx.options.ignoreChecks.includes(r.id));
    const ignored = results.filter((r) => r.status === 'fail' && ctx.options.ignoreChecks.includes(r.id));
    if (failed.length > 0) {
      throw new HealError({
        code: 'preflight.failed',
        message: `${failed.length} preflight check(s) failed; nothing was changed`,
        details: failed.map((r) => `${r.host} ${r.id}: ${r.summary}${r.remedy ? ` (${r.remedy})` : ''}`),
        hint: 'fix them (`heal-pyroscope preflight` shows details), or pass --ignore-check ID for a check you accept',
      });
    }
    const passed = results.filter((r) => r.status === 'pass').length;
    return `${passed} passed${ignored.length ? `, ${ignored.length} failure(s) ignored` : ''}`;
  },
};
