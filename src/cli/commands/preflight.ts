// `preflight`: connect, production guard, every check per host, flows; a live tree while it runs,
// then a summary of warnings and failures with their remedies, `--json` and `--junit FILE`.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CheckContext, CheckResult, MachineState } from '../../checks/check.js';
import { checkFlows } from '../../checks/flows.js';
import { guardError, machinesFor, machineStates, runGuard, runMachineChecks, summarize, type PreflightReport } from '../../checks/preflight.js';
import { ExitCode } from '../../errors.js';
import { evaluateDeclared } from '../../guard/evaluate.js';
import { connectTopology, type ConnectFlags } from '../connect.js';
import { gatherTopology, type GatherContext } from '../gather.js';
import type { Output } from '../output.js';
import type { TopologyFlags } from '../topology-options.js';

export interface PreflightFlags extends TopologyFlags, ConnectFlags {
  junit?: string;
}

const PROBE_TIMEOUT_MS = 3000;

export async function runPreflightCommand(flags: PreflightFlags, ctx: GatherContext): Promise<number> {
  const { topology } = await gatherTopology(flags, ctx);
  const { out } = ctx;
  // The declared environment needs no host: refuse before connecting to anything.
  const declared = evaluateDeclared(topology.guard, topology.environment);
  if (declared.length > 0) {
    await finish(summarize(topology.environment, declared, []), flags, out);
    throw guardError(declared);
  }

  const machines = machinesFor(topology);
  out.say(`Connecting to ${machines.length} host(s)...`);
  const started = Date.now();
  const connection = await connectTopology(machines, flags, ctx.interactive);
  out.debug(`connected in ${Date.now() - started} ms`);
  try {
    const states = machineStates(machines, connection.sessions);
    const checkCtx: CheckContext = { topology, machines: states, probeTimeoutMs: PROBE_TIMEOUT_MS };

    const findings = await runGuard(topology, states, 15_000);
    out.debug(`production guard done at ${Date.now() - started} ms`);
    if (findings.length > 0) {
      await finish(summarize(topology.environment, findings, []), flags, out);
      throw guardError(findings);
    }
    out.say(out.color.green('✔') + ` production guard: no host looks like production (${states.filter((s) => s.session).length} checked)`);

    const results = await runWithProgress(states, checkCtx, out);
    out.debug(`checks and flows done at ${Date.now() - started} ms`);
    const report = summarize(topology.environment, [], results);
    await finish(report, flags, out);
    printSummary(report, out);
    return report.ok ? ExitCode.ok : ExitCode.failed;
  } finally {
    await connection.close();
  }
}

async function runWithProgress(states: MachineState[], checkCtx: CheckContext, out: Output): Promise<CheckResult[]> {
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  const perMachine: CheckResult[][] = [];
  let flows: CheckResult[] = [];
  const stream = out.humanStream as NodeJS.WriteStream;
  const list = new Listr(
    [
      {
        title: 'Checks per host',
        task: (_ctx, task) =>
          task.newListr(
            states.map((state, i) => ({
              title: `${state.machine.name} (${state.machine.tiers.join(', ')})`,
              task: async (_c: unknown, t: { output: string; title: string }) => {
                perMachine[i] = await runMachineChecks(state, checkCtx, (e) => {
                  // Live detail only on a terminal; plain output gets one line per host.
                  if (e.type === 'result' && stream.isTTY) t.output = `${e.result.id}: ${e.result.status} ${e.result.summary}`;
                });
                if (perMachine[i]!.some((r) => r.status === 'fail')) throw new Error(counts(perMachine[i]!));
                t.title = `${state.machine.name} (${state.machine.tiers.join(', ')}): ${counts(perMachine[i]!)}`;
              },
            })),
            { concurrent: true, exitOnError: false },
          ),
      },
      {
        title: 'Network flows',
        task: async (_ctx, task) => {
          out.debug(`per-host checks done; flows start`);
          flows = await checkFlows(checkCtx);
          if (flows.some((r) => r.status === 'fail')) throw new Error(counts(flows));
          task.title = `Network flows: ${counts(flows)}`;
        },
      },
    ],
    {
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: !stream.isTTY,
      exitOnError: false,
      registerSignalListeners: false,
      collectErrors: false,
      // Human output goes to one stream (stderr with --json): both renderers log through it.
      rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(stream, stream), useIcons: true }) },
      fallbackRendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(stream, stream), useIcons: true }) },
    },
  );
  await list.run();
  return [...perMachine.flat(), ...flows];
}

function counts(results: CheckResult[]): string {
  const c = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return [`${c.pass} passed`, c.warn ? `${c.warn} warning(s)` : '', c.fail ? `${c.fail} failed` : '', c.skip ? `${c.skip} skipped` : ''].filter(Boolean).join(', ');
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
  const line = `preflight: ${c.pass} passed, ${c.warn} warnings, ${c.fail} failed, ${c.skip} skipped`;
  out.say('');
  out.say(report.ok ? color.green(`${line}: ready to install`) : color.red(`${line}: fix the failures above, then run preflight again`));
}

async function finish(report: PreflightReport, flags: PreflightFlags, out: Output): Promise<void> {
  if (flags.junit) {
    const { toJUnit } = await import('../junit.js');
    await writeFile(resolve(flags.junit), toJUnit(report));
    out.debug(`wrote JUnit report ${flags.junit}`);
  }
  out.result(report);
}
