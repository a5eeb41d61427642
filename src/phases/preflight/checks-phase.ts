// Phase: every preflight check; a failure stops the install unless its id was given to
// --ignore-check (the production guard is not a check and cannot be ignored).

import { CHECK_IDS } from '../../checks/catalogue.js';
import { runChecks } from '../../checks/run-checks.js';
import { ExitCode, HealError } from '../../core/errors.js';
import type { CheckResult } from '../../checks/check.js';
import type { Topology } from '../../config/topology.js';
import type { Inventory } from '../../hosts/inventory.js';
import type { Phase } from '../../runner/phase.js';

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

/** What the checks phase needs and where it leaves its results. */
export interface ChecksStage {
  topology: Topology;
  hosts: Inventory;
  report: { preflight: CheckResult[] };
}

export const PREFLIGHT_PHASE_ID = 'preflight';

/**
 * Every preflight check and the flows. `stopOn` decides what ends the run: install stops on any
 * failure not listed in its --ignore-check ids; the preflight command reports and never stops.
 */
export function checksPhase<C extends ChecksStage>(stopOn: (ctx: C) => ((r: CheckResult) => boolean) | null): Phase<C> {
  return {
    id: PREFLIGHT_PHASE_ID,
    title: 'Preflight checks',
    readOnly: true,
    async run(ctx, io) {
      const results = await runChecks(
        { topology: ctx.topology, hosts: ctx.hosts.hosts, probeTimeoutMs: PREFLIGHT_TIMEOUT_MS },
        (e) => {
          if (e.type === 'result')
            io.progress(`${e.result.host} ${e.result.id}: ${e.result.status} ${e.result.summary}`);
        },
      );
      ctx.report.preflight = results;
      const stops = stopOn(ctx);
      const failed = results.filter((r) => r.status === 'fail');
      const blocking = stops ? failed.filter(stops) : [];
      if (blocking.length > 0) {
        throw failedChecksError(blocking, {
          tail: '; nothing was changed',
          hint: 'fix them (`heal-pyroscope preflight` shows details), or pass --ignore-check ID for a check you accept',
        });
      }
      const summary = countsLine(results, failed.length - blocking.length);
      if (failed.length > blocking.length && stops) return summary; // ignored by the operator's choice
      if (failed.length > 0) return { summary, verdict: 'fail' };
      if (results.some((r) => r.status === 'warn')) return { summary, verdict: 'warn' };
      if (!results.some((r) => r.status === 'pass')) return { summary, verdict: 'warn' };
      return summary;
    },
  };
}

/** The failed checks as one error: install stops on it, preflight ends with it (exit 1). */
export function failedChecksError(
  results: readonly CheckResult[],
  words: { tail: string; hint: string } = {
    tail: '',
    hint: 'fix them (each remedy is above), then run preflight again',
  },
): HealError {
  const failed = results.filter((r) => r.status === 'fail');
  return new HealError({
    code: 'preflight.failed',
    message: `${failed.length} preflight check(s) failed${words.tail}`,
    details: failed.map((r) => `${r.host} ${r.id}: ${r.summary}${r.remedy ? ` (${r.remedy})` : ''}`),
    hint: words.hint,
  });
}

/** `12 passed, 1 warning, 2 failed, 3 skipped` (only the counts that are not zero). */
export function countsLine(results: readonly CheckResult[], ignoredFailures = 0): string {
  const c = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  const failed = ignoredFailures > 0 ? `${c.fail} failed (ignored)` : c.fail ? `${c.fail} failed` : '';
  return [
    `${c.pass} passed`,
    c.warn ? `${c.warn} warning${c.warn === 1 ? '' : 's'}` : '',
    failed,
    c.skip ? `${c.skip} skipped` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** Install's checks: any failure stops it, except those of checks the operator chose to ignore. */
export const installChecksPhase = checksPhase<ChecksStage & { options: { ignoreChecks: string[] } }>(
  (ctx) => (r) => !ctx.options.ignoreChecks.includes(r.id),
);
