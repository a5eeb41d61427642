// `verify`: from each target, a synthetic profile and span through the front door, read back where
// Grafana reads them, and Grafana's data-source health; exit 0 only when every one was found.
import { dataPathFailures, type DataPathReport, type SignalCheck } from '../phases/verify/data-path.js';
import { dataPathError, newVerifyContext, verifyPhases } from '../phases/verify/verify-phases.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';
import { DEFAULT_DATA_WAIT_SECONDS } from '../console/options.js';

export interface VerifyFlags extends TopologyFlags, ConnectFlags {
  /** Seconds to wait for accepted data to show up. */
  wait?: number;
}

export async function runVerifyCommand(flags: VerifyFlags, ctx: GatherContext): Promise<number> {
  return runPhaseCommand(flags, ctx, async ({ topology, statePath, connect }) => {
    const verify = newVerifyContext({
      topology,
      statePath,
      connect,
      waitMs: (flags.wait ?? DEFAULT_DATA_WAIT_SECONDS) * 1000,
    });
    return {
      phases: verifyPhases(),
      context: verify,
      // Nothing to roll back: Ctrl-C ends it at once.
      interrupt: 'none',
      finish(run) {
        if (!run.ok) return {};
        const { report } = verify;
        return {
          document: { ...report, environment: topology.environment },
          say: () => printVerify(report, ctx.out),
          ...(report.ok ? {} : { failure: dataPathError(report, 'verify.data-path'), told: true }),
        };
      },
    };
  });
}

function cell(c: SignalCheck): string {
  if (c.found) return `found in ${c.delayMs} ms`;
  return c.hop ? `lost at ${c.hop}` : 'not sent';
}

function printVerify(report: DataPathReport, out: Output): void {
  const { color } = out;
  const direct = report.targets.some((t) => t.direct.length > 0);
  out.say(
    `${'TARGET'.padEnd(16)} ${'PROFILE (Pyroscope)'.padEnd(26)} ${'SPAN (Tempo)'.padEnd(26)}` +
      (direct ? ' AROUND THE DOOR' : ''),
  );
  for (const t of report.targets) {
    const paint = (c: SignalCheck) => (c.found ? color.green : color.red)(cell(c).padEnd(26));
    const open = t.direct.filter((c) => c.open);
    const around =
      t.direct.length === 0
        ? ''
        : open.length === 0
          ? ` ${color.green(`${t.direct.length} refused`)}`
          : ` ${color.red(`open: ${open.map((c) => `${c.machine}:${c.port}`).join(', ')}`)}`;
    out.say(`${t.target.padEnd(16)} ${paint(t.profile)} ${paint(t.trace)}${around}`);
  }
  for (const s of report.datasources)
    out.say(`Grafana data source ${s.uid}: ${s.ok ? color.green('OK') : color.red(s.message)}`);
  if (report.datasources.length === 0)
    out.say(color.dim('Grafana data sources not checked: no local state (admin credentials) for this environment'));
  out.say(color.dim(`synthetic data: service_name ${report.service}, verify_run ${report.run}`));
  if (report.ok) {
    out.say(color.green("verify: every target's profile and span were found"));
    return;
  }
  const error = dataPathError(report, 'verify.data-path');
  out.say(color.red(`verify: ${error.message}`));
  for (const d of error.details) out.say(`  ${d}`);
  const remedies = [
    ...new Set(
      dataPathFailures(report)
        .filter((f) => f.target !== null)
        .map((f) => f.remedy)
        .filter((r): r is string => r !== null),
    ),
  ];
  for (const r of remedies) out.say(`  ${color.yellow('→')} ${r}`);
}
