// `install`: gather the topology, refuse a production-like declared environment before connecting,
// then run the install phases with live output; Ctrl-C rolls back. Prints the URLs at the end.
import { resolve } from 'node:path';
import { guardError } from '../checks/run-checks.js';
import { SERVER_ADDRESS_REMEDY, serverAddressProblems } from '../config/server-addresses.js';
import type { Topology } from '../config/topology.js';
import type { SshConfigLookup } from '../remote/ssh-config.js';
import { ExitCode, HealError } from '../core/errors.js';
import { evaluateDeclared } from '../guard/evaluate.js';
import { readArchive } from '../images/archive.js';
import type { FrontDoor } from '../render/context.js';
import { Inventory } from '../hosts/inventory.js';
import { newInstallContext, type InstallContext } from '../phases/install/context.js';
import { externalFrontDoorSteps, externalSnippetChanged, externalSnippetPath } from '../phases/install/front-door.js';
import { installPhases } from '../phases/install/install.js';
import { validateIgnoredChecks } from '../phases/preflight/checks-phase.js';
import { runPhases, type FailedRun, type RunResult } from '../runner/runner.js';
import { port } from '../stack/manifest.js';
import { statePath } from '../state/state-file.js';
import { describeLeft, keepPendingUndo, loadPendingUndo } from '../state/pending-undo.js';
import { hostConnector, type ConnectFlags } from '../console/connect.js';
import { installerVersion, operatorName, runId } from '../console/run-identity.js';
import { gatherTopology, type GatherContext } from '../console/gather.js';
import { errorFields, type Output } from '../console/output.js';
import { sayFailure } from '../console/phase-output.js';
import { withPhaseProgress } from '../console/progress.js';
import type { TopologyFlags } from '../console/topology-options.js';
import { interruptSignal } from '../console/interrupt.js';

export interface InstallFlags extends TopologyFlags, ConnectFlags {
  dryRun?: boolean;
  /** commander's `--no-rollback` sets this to false. */
  rollback?: boolean;
  ignoreCheck?: string[];
  forceUnlock?: boolean;
  frontDoor?: FrontDoor;
  wait?: number;
  imagesFrom?: string;
}

export const DEFAULT_WAIT_SECONDS = 120;

/**
 * What install and restore refuse before any host is contacted: a production-like declared
 * environment (exit 3), server addresses the containers cannot use, an unknown --ignore-check.
 */
export function refuseBeforeContact(topology: Topology, ignoredChecks: readonly string[]): void {
  const declared = evaluateDeclared(topology.guard, topology.environment);
  if (declared.length > 0) throw guardError(declared);
  refuseServerAddresses(topology);
  validateIgnoredChecks(ignoredChecks);
}

/** Addresses that would point containers at themselves are a config error, found before any host is contacted. */
export function refuseServerAddresses(topology: Topology): void {
  const problems = serverAddressProblems(topology);
  if (problems.length === 0) return;
  throw new HealError({
    code: 'config.address',
    message: problems.length === 1 ? `${problems[0]!.problem}; nothing was contacted` : `${problems.length} host addresses cannot go into the container configs; nothing was contacted`,
    details: problems.length === 1 ? [] : problems.map((p) => p.problem),
    hint: SERVER_ADDRESS_REMEDY,
    exitCode: ExitCode.usage,
  });
}

/** The context install and restore run on: this run's identity, the state file, the connector and the hosts. */
export function installRunContext(
  topology: Topology,
  configPath: string | undefined,
  flags: ConnectFlags,
  ctx: GatherContext,
  options: InstallContext['options'],
  sshConfig?: SshConfigLookup,
): InstallContext {
  return newInstallContext({
    topology,
    options,
    installerVersion: installerVersion(),
    statePath: statePath(topology.environment, configPath, ctx.cwd),
    operator: operatorName(),
    runId: runId(),
    connect: hostConnector(flags, ctx.interactive, sshConfig),
    hosts: Inventory.of(topology),
  });
}

export async function runInstallCommand(flags: InstallFlags, ctx: GatherContext, options: { signal?: AbortSignal } = {}): Promise<number> {
  const { topology, configPath, sshConfig } = await gatherTopology(flags, ctx);
  const { out } = ctx;
  refuseBeforeContact(topology, flags.ignoreCheck ?? []);
  // A broken archive is a usage error found before any host is contacted.
  const imagesFrom = flags.imagesFrom ? { path: resolve(ctx.cwd, flags.imagesFrom), archive: await readArchive(resolve(ctx.cwd, flags.imagesFrom)) } : undefined;

  const install = installRunContext(topology, configPath, flags, ctx, {
    ...(imagesFrom ? { imagesFrom } : {}),
    // With an archive, no registry needs to be reachable: the images phase checks the archive instead.
    ignoreChecks: [...(flags.ignoreCheck ?? []), ...(imagesFrom ? ['images.available'] : [])],
    frontDoor: flags.frontDoor ?? 'container',
    forceUnlock: flags.forceUnlock ?? false,
    healthTimeoutMs: (flags.wait ?? DEFAULT_WAIT_SECONDS) * 1000,
  }, sshConfig);
  install.undo.found = await loadPendingUndo(install.undo.path);
  out.say(flags.dryRun ? 'Dry run: nothing will be changed.' : `Installing heal-pyroscope on ${topology.environment}...`);
  for (const left of install.undo.found) out.say(flags.dryRun ? `would first finish ${describeLeft(left)}` : `finishing ${describeLeft(left)} first`);
  const interrupt = interruptSignal(out, options.signal);
  let result: RunResult;
  try {
    const phases = installPhases();
    result = await withPhaseProgress(
      out,
      phases,
      (emit) => runPhases(phases, install, { dryRun: flags.dryRun ?? false, noRollback: flags.rollback === false, signal: interrupt.signal, emit }),
      { alwaysShow: ['images'], dryRun: flags.dryRun ?? false },
    );
  } finally {
    interrupt.dispose();
  }
  out.result(installDocument(result, install));
  if (result.ok) {
    if (!result.dryRun) printSummary(install, out);
    return ExitCode.ok;
  }
  // Undo steps the rollback could not run (a host or its engine gone): kept for the next run.
  const pending = result.dryRun ? [] : await keepPendingUndo(install.undo.path, topology.environment, new Date(), result.pendingUndo);
  sayFailure(result, out, 'heal-pyroscope uninstall (keeps data volumes)', install.undo.path);
  if (result.pendingUndo.length === 0 && pending.length > 0) {
    out.say(`still pending in ${install.undo.path}: ${pending.map(describeLeft).join('; ')}; the next install or uninstall finishes them first`);
  }
  if (out.json) {
    out.say(`error: ${result.error.message}`);
    for (const d of result.error.details) out.say(`  ${d}`);
    if (result.error.hint) out.say(`hint: ${result.error.hint}`);
    return result.error.exitCode;
  }
  throw rolledBackError(result);
}

function rolledBackError(result: FailedRun): HealError {
  const e = result.error;
  const undone = result.rolledBack.length > 0 ? ` (rolled back ${result.rolledBack.filter((u) => u.ok).length} change(s))` : '';
  return new HealError({ code: e.code, message: `${e.message}${undone}`, details: e.details, ...(e.hint ? { hint: e.hint } : {}), exitCode: e.exitCode });
}

export function urls(ctx: InstallContext): Record<string, string> {
  const t = ctx.topology;
  return {
    grafana: `http://${t.app.host}:${t.grafanaPort}`,
    pyroscope: `http://${t.app.host}:${port('pyroscope.http')}`,
    frontDoor: `http://${t.web.host}:${port('haproxy.front-door')}`,
    minioConsole: `http://${t.db.host}:${port('minio.console')}`,
  };
}

function installDocument(result: RunResult, ctx: InstallContext) {
  return {
    ok: result.ok,
    dryRun: result.dryRun,
    interrupted: result.interrupted,
    environment: ctx.topology.environment,
    phases: result.phases,
    plan: ctx.report.plan,
    containers: ctx.report.outcomes,
    pulled: ctx.report.pulled,
    images: Object.fromEntries([...ctx.report.imageIds].map(([machine, ids]) => [machine, Object.fromEntries(ids)])),
    verified: ctx.report.verified,
    dataPath: ctx.report.dataPath ?? null,
    frontDoor: ctx.options.frontDoor === 'external' ? { mode: 'external', snippet: externalSnippetPath(), reloadNeeded: externalSnippetChanged(ctx.report.plan) } : { mode: 'container' },
    rolledBack: result.rolledBack,
    leftInPlace: result.leftInPlace,
    statePath: ctx.statePath,
    urls: urls(ctx),
    error: result.ok ? null : errorFields(result.error),
  };
}

function printSummary(ctx: InstallContext, out: Output): void {
  const { color } = out;
  const u = urls(ctx);
  out.say('');
  for (const c of ctx.report.outcomes) out.say(`  ${c.name.padEnd(26)} ${c.action === 'unchanged' ? color.dim('unchanged') : color.green(c.action)}  (${c.machine})`);
  out.say('');
  out.say(color.bold('heal-pyroscope is installed.'));
  out.say(`  Grafana        ${u.grafana}  (user ${ctx.report.grafanaAdminUser ?? 'admin'}; reached on the app host directly, not through the front door)`);
  out.say(`  Pyroscope      ${u.pyroscope} (app host; the front door ${u.frontDoor} takes pushes only)`);
  out.say(`  MinIO console  ${u.minioConsole}  (an object browser only, no admin pages)`);
  if (ctx.options.frontDoor === 'external') {
    const [first, ...rest] = externalFrontDoorSteps(ctx.report.plan, ctx.topology.web.host);
    out.say(`  Front door     ${first}`);
    for (const line of rest) out.say(`                 ${line}`);
  }
  out.say(`  Agents on target hosts send profiles and traces to ${u.frontDoor} (Pyroscope push, OTLP gRPC, Jaeger gRPC); it forwards nothing else.`);
  out.say(`  Credentials: ${ctx.statePath} (mode 0600), and on the hosts under /opt/heal-pyroscope (readable by each container user only).`);
}
