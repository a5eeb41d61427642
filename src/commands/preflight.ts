// `preflight`: connect, production guard, every check per host, flows; a live tree while it runs,
// then a summary of warnings and failures with their remedies, `--json` and `--junit FILE`.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { evaluateWritten, guardError, summarize, type PreflightReport } from '../checks/run-checks.js';
import { Inventory } from '../hosts/inventory.js';
import { failedChecksError } from '../phases/preflight/checks-phase.js';
import { preflightPhases, type PreflightContext } from '../phases/preflight/preflight.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface PreflightFlags extends TopologyFlags, ConnectFlags {
  junit?: string;
}

export async function runPreflightCommand(flags: PreflightFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(flags, ctx, async ({ topology, connect }) => {
    // The declared environment and the names written for the hosts need no host: refuse before
    // connecting to anything, with the report.
    const declared = evaluateWritten(topology);
    if (declared.length > 0) {
      const report = summarize(topology.environment, declared, []);
      await writeJUnit(report, flags, out);
      return { refused: { document: report, failure: guardError(declared) } };
    }
    const preflight: PreflightContext = {
      topology,
      hosts: Inventory.of(topology),
      connect,
      report: { guard: [], preflight: [] },
    };
    return {
      phases: preflightPhases(),
      context: preflight,
      // Reads only, nothing to roll back: Ctrl-C ends it at once.
      interrupt: 'none',
      progress: { liveShow: ['preflight'] },
      async finish(run) {
        if (!run.ok) {
          if (run.error.code !== 'guard.production') return {};
          // The guard's findings are a report too (exit 3).
          const report = summarize(topology.environment, preflight.report.guard, []);
          await writeJUnit(report, flags, out);
          return { document: { ...report, phases: run.phases } };
        }
        const report = summarize(topology.environment, [], preflight.report.preflight);
        await writeJUnit(report, flags, out);
        return {
          document: { ...report, phases: run.phases },
          say: () => printSummary(report, out),
          ...(report.ok ? {} : { failure: failedChecksError(report.results), told: true }),
        };
      },
    };
  });
}

function printSummary(report: PreflightReport, out: Output): void {
  const { color } = out;
  const notable = report.results.filter((r) => r.status === 'fail' || r.status === 'warn');
  const hosts = [...new Set(notable.map((r) => r.host))];
  if (hosts.length > 0) out.say('');
  for (const host of hosts) {
    out.say(color.bold(host));
    for (const r of notable.filter((n) => n.host === host)) {
      const mark = r.status === 'fail' ? color.red('✖ fail') : color.yellow('⚠ warn');
      out.say(`  ${mark} ${r.id}: ${r.summary}`);
      if (r.remedy) out.say(`         ${color.cyan('→')} ${r.remedy}`);
    }
  }
  const c = report.counts;
  const line =
    `preflight: ${c.pass} passed, ${c.warn} warning${c.warn === 1 ? '' : 's'}, ${c.fail} failed, ` +
    `${c.skip} skipped`;
  out.say('');
  out.say(
    report.ok
      ? color.green(`${line}: ready to install`)
      : color.red(`${line}: fix the failures above, then run preflight again`),
  );
}

/** `--junit FILE`: the same report as JUnit XML, for CI. */
async function writeJUnit(report: PreflightReport, flags: PreflightFlags, out: Output): Promise<void> {
  if (!flags.junit) return;
  const { toJUnit } = await import('../console/junit.js');
  await writeFile(resolve(flags.junit), toJUnit(report));
  out.debug(`wrote JUnit report ${flags.junit}`);
}
