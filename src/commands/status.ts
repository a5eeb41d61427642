// `status`: per host and component, running and healthy or not, image, ports, and drift from the
// configuration; exit 0 only when everything is healthy and as configured.
import { gib, newStatusContext, statusError, statusPhases, type StatusReport } from '../phases/status/status-report.js';
import type { FrontDoor } from '../render/context.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface StatusFlags extends TopologyFlags, ConnectFlags {
  frontDoor?: FrontDoor;
}

export async function runStatusCommand(flags: StatusFlags, ctx: GatherContext): Promise<number> {
  return runPhaseCommand(flags, ctx, async ({ topology, statePath, connect }) => {
    const status = newStatusContext({ topology, statePath, frontDoor: flags.frontDoor ?? 'container', connect });
    return {
      phases: statusPhases(),
      context: status,
      // Reads only, nothing to roll back: Ctrl-C ends it at once.
      interrupt: 'none',
      finish(run) {
        if (!run.ok) return {};
        const { report } = status;
        return {
          document: report,
          say: () => printStatus(report, ctx.out),
          ...(report.ok ? {} : { failure: statusError(report), told: true }),
        };
      },
    };
  });
}

function printStatus(report: StatusReport, out: Output): void {
  const { color } = out;
  out.say(
    `${'HOST'.padEnd(14)} ${'COMPONENT'.padEnd(10)} ${'STATE'.padEnd(10)} ${'HEALTH'.padEnd(10)} ` +
      `${'IMAGE'.padEnd(44)} PORTS`,
  );
  for (const c of report.components) {
    const state = c.present ? (c.running ? 'running' : 'stopped') : 'missing';
    const health = c.healthy ? color.green('healthy'.padEnd(10)) : color.red('unhealthy'.padEnd(10));
    out.say(
      `${c.machine.padEnd(14)} ${c.component.padEnd(10)} ${state.padEnd(10)} ${health} ` +
        `${(c.image ?? '-').padEnd(44)} ${c.ports.join(', ') || '-'}`,
    );
    for (const d of c.drift) out.say(`  ${color.yellow('drift:')} ${d}`);
  }
  for (const d of report.disks) {
    const volumes = report.volumes
      .filter((v) => v.machine === d.machine)
      .map((v) => `${v.component} ${v.bytes === null ? '?' : gib(v.bytes)} GiB`);
    const free = d.freePercent === null ? '' : `, ${d.freePercent}% free`;
    out.say(
      `${d.machine.padEnd(14)} disk ${d.mount}: ${gib(d.availableBytes)} GiB available${free}` +
        (volumes.length > 0 ? `; volumes: ${volumes.join(', ')}` : ''),
    );
  }
  for (const f of report.flows) {
    out.say(`${f.machine.padEnd(14)} flows: ${f.rules ?? 'none wanted'}`);
    if (f.drift) out.say(`  ${color.yellow('drift:')} ${f.drift}`);
  }
  if (report.frontDoorTls) {
    const t = report.frontDoorTls;
    out.say(
      `front door TLS: certificate for ${t.names.join(', ')}, ends ${t.notAfter.slice(0, 10)} ` +
        `(${t.daysLeft} days), SHA-256 ${t.fingerprint256}`,
    );
  }
  for (const { machine, record: r } of report.lastChanges) {
    out.say(
      `${machine.padEnd(14)} last run: ` +
        (r
          ? `${r.command} by ${r.by} at ${r.time} (${r.outcome}${r.version ? `, heal-pyroscope ${r.version}` : ''})`
          : 'none recorded'),
    );
  }
  for (const w of report.warnings) out.say(`${color.yellow('warning:')} ${w}`);
  for (const u of report.unreachable) out.say(`${color.red('unreachable:')} ${u.machine} (${u.error})`);
  if (report.note) out.say(color.dim(report.note));
  out.say(
    report.ok
      ? report.state === 'none'
        ? color.green('status: healthy') + ' (settings not compared: no local state, see above)'
        : color.green('status: healthy and as configured')
      : color.red('status: not healthy or not as configured (see above)'),
  );
}
