// `preflight`: connect, production guard, every check per host, flows; a live tree while it runs,
// then a summary of warnings and failures with their remedies, `--json` and `--junit FILE`.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { guardError, summarize, type PreflightReport } from '../checks/run-checks.js';
import { ExitCode } from '../core/errors.js';
import { evaluateDeclared } from '../guard/evaluate.js';
import { Inventory } from '../hosts/inventory.js';
import { preflightPhases, type PreflightContext } from '../phases/preflight/preflight.js';
import type { PhaseRecord } from '../runner/phase.js';
import { runPhases } from '../runner/runner.js';
import { hostConnector, type ConnectFlags } from '../console/connect.js';
import { withPhaseProgress } from '../console/progress.js';
import { gatherTopology, type GatherContext } from '../console/gather.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface PreflightFlags extends TopologyFlags, ConnectFlags {
  junit?: string;
}

export async function runPreflightCommand(flags: PreflightFlags, ctx: GatherContext): Promise<number> {
  const { topology, sshConfig } = await gatherTopology(flags, ctx);
  const { out } = ctx;
  // The declared environment needs no host: refuse before connecting to anything.
  const declared = evaluateDeclared(topology.guard, topology.environment);
  if (declared.length > 0) {
    await finish(summarize(topology.environment, declared, []), flags, out);
    throw guardError(declared);
  }
  const preflight: PreflightContext = { topology, hosts: Inventory.of(topology), connect: hostConnector(flags, ctx.interactive, sshConfig), report: { guard: [], preflight: [] } };
  const phases = preflightPhases();
  const result = await withPhaseProgress(out, phases, (emit) => runPhases(phases, preflight, { emit }), { liveShow: ['preflight'] });
  if (!result.ok && result.error.code === 'guard.production') await finish(summarize(topology.environment, preflight.report.guard, []), flags, out, result.phases);
  if (!result.ok) throw result.error;
  const report = summarize(topology.environment, [], preflight.report.preflight);
  await finish(report, flags, out, result.phases);
  printSummary(report, out);
  return report.ok ? ExitCode.ok : ExitCode.failed;
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
  const line = `preflight: ${c.pass} passed, ${c.warn} warning${c.warn === 1 ? '' : 's'}, ${c.fail} failed, ${c.skip} skipped`;
  out.say('');
  out.say(report.ok ? color.green(`${line}: ready to install`) : color.red(`${line}: fix the failures above, then run preflight again`));
}

/** `phases`: what ran, with each phase's and host's time (absent when nothing ran). */
async function finish(report: PreflightReport, flags: PreflightFlags, out: Output, phases?: PhaseRecord[]): Promise<void> {
  if (flags.junit) {
    const { toJUnit } = await import('../console/junit.js');
    await writeFile(resolve(flags.junit), toJUnit(report));
    out.debug(`wrote JUnit report ${flags.junit}`);
  }
  out.result(phases ? { ...report, phases } : report);
}
