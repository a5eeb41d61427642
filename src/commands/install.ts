// `install`: gather the topology, refuse a production-like declared environment before connecting,
// then run the install phases with live output; Ctrl-C rolls back. Prints the URLs at the end.
import { doorUrl } from './agents.js';
import { tlsSentence } from '../phases/install/gather-facts.js';
import { LOOPBACK } from '../render/render.js';
import { resolve } from 'node:path';
import { evaluateWritten, guardError } from '../checks/run-checks.js';
import { SERVER_ADDRESS_REMEDY, serverAddressProblems } from '../config/server-addresses.js';
import type { Topology } from '../config/topology.js';
import { ExitCode, HealError } from '../core/errors.js';
import { readArchive } from '../images/archive.js';
import type { FrontDoor } from '../render/context.js';
import { Inventory } from '../hosts/inventory.js';
import { newInstallContext, type InstallContext } from '../phases/install/context.js';
import { externalFrontDoorSteps, externalSnippetChanged, externalSnippetPath } from '../phases/install/front-door.js';
import { installPhases } from '../phases/install/install.js';
import { validateIgnoredChecks } from '../phases/preflight/checks-phase.js';
import type { RunResult } from '../runner/runner.js';
import { port } from '../stack/manifest.js';
import {
  describeLeft,
  keepPendingUndo,
  loadPendingUndo,
  pendingUndoPath,
  type LeftUndo,
} from '../state/pending-undo.js';
import type { ConnectFlags } from '../console/connect.js';
import { installerVersion, operatorName, runId } from '../console/run-identity.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand, type Settings } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';

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

import { DEFAULT_WAIT_SECONDS } from '../console/options.js';

export { DEFAULT_WAIT_SECONDS };

/**
 * What install and restore refuse before any host is contacted: a production-like declared
 * environment or host name as written (exit 3), server addresses the containers cannot use, an unknown --ignore-check.
 */
export function refuseBeforeContact(topology: Topology, ignoredChecks: readonly string[]): void {
  const declared = evaluateWritten(topology);
  if (declared.length > 0) throw guardError(declared);
  refuseServerAddresses(topology);
  validateIgnoredChecks(ignoredChecks);
}

/** Addresses that would point containers at themselves are a config error, found before any host is contacted. */
export function refuseServerAddresses(topology: Topology): void {
  const problems = serverAddressProblems(topology);
  if (problems.length === 0) return;
  const only = problems.length === 1 ? problems[0] : undefined;
  throw new HealError({
    code: 'config.address',
    message: only
      ? `${only.problem}; nothing was contacted`
      : `${problems.length} host addresses cannot go into the container configs; nothing was contacted`,
    details: only ? [] : problems.map((p) => p.problem),
    hint: SERVER_ADDRESS_REMEDY,
    exitCode: ExitCode.usage,
  });
}

/** The context install and restore run on: this run's identity, the state file, the connector and the hosts. */
export function installRunContext(
  settings: Settings,
  options: InstallContext['options'],
  leftOver: LeftUndo[] = [],
): InstallContext {
  const { topology } = settings;
  return newInstallContext(
    {
      topology,
      options,
      installerVersion: installerVersion(),
      statePath: settings.statePath,
      operator: operatorName(),
      runId: runId(),
      connect: settings.connect,
      hosts: Inventory.of(topology),
    },
    leftOver,
  );
}

export async function runInstallCommand(
  flags: InstallFlags,
  ctx: GatherContext,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const { out } = ctx;
  const dryRun = flags.dryRun ?? false;
  return runPhaseCommand(
    flags,
    ctx,
    async (settings) => {
      const { topology } = settings;
      refuseBeforeContact(topology, flags.ignoreCheck ?? []);
      // A broken archive is a usage error found before any host is contacted.
      const imagesFrom = flags.imagesFrom
        ? { path: resolve(ctx.cwd, flags.imagesFrom), archive: await readArchive(resolve(ctx.cwd, flags.imagesFrom)) }
        : undefined;
      const install = installRunContext(
        settings,
        {
          ...(imagesFrom ? { imagesFrom } : {}),
          // With an archive, no registry needs to be reachable: the images phase checks the archive instead.
          ignoreChecks: [...(flags.ignoreCheck ?? []), ...(imagesFrom ? ['images.available'] : [])],
          frontDoor: flags.frontDoor ?? 'container',
          forceUnlock: flags.forceUnlock ?? false,
          healthTimeoutMs: (flags.wait ?? DEFAULT_WAIT_SECONDS) * 1000,
        },
        await loadPendingUndo(pendingUndoPath(settings.statePath)),
      );
      out.say(dryRun ? 'Dry run: nothing will be changed.' : `Installing heal-pyroscope on ${topology.environment}...`);
      for (const left of install.undo.found)
        out.say(dryRun ? `would first finish ${describeLeft(left)}` : `finishing ${describeLeft(left)} first`);
      return {
        phases: installPhases(),
        context: install,
        dryRun,
        noRollback: flags.rollback === false,
        progress: { alwaysShow: ['images'] },
        cleanup: { command: 'heal-pyroscope uninstall (keeps data volumes)', keptIn: install.undo.path },
        async finish(run) {
          const document = installDocument(run, install);
          if (run.ok) {
            return {
              document,
              say: () => {
                if (!run.dryRun) printSummary(install, out);
              },
            };
          }
          // Undo steps the rollback could not run (a host or its engine gone): kept for the next run.
          const pending = run.dryRun
            ? []
            : await keepPendingUndo(install.undo.path, topology.environment, new Date(), run.pendingUndo);
          return {
            document,
            say: () => {
              if (run.pendingUndo.length > 0 || pending.length === 0) return;
              out.say(
                `still pending in ${install.undo.path}: ${pending.map(describeLeft).join('; ')}; the next ` +
                  `install or uninstall finishes them first`,
              );
            },
          };
        },
      };
    },
    options,
  );
}

export function urls(ctx: InstallContext): Record<string, string> {
  const t = ctx.topology;
  return {
    // Unpublished consoles answer on their host's loopback: `open` brings them here.
    grafana: `http://${t.consolesPublished ? t.app.host : LOOPBACK}:${t.grafanaPort}`,
    pyroscope: `http://${t.app.host}:${port('pyroscope.http')}`,
    frontDoor: doorUrl(t.web.host, t.frontDoorTls !== 'off'),
    minioConsole: `http://${t.consolesPublished ? t.db.host : LOOPBACK}:${port('minio.console')}`,
  };
}

/** install's --json fields (the lifecycle adds `ok` and, on failure, `error`). */
function installDocument(result: RunResult, ctx: InstallContext) {
  return {
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
    frontDoor:
      ctx.options.frontDoor === 'external'
        ? { mode: 'external', snippet: externalSnippetPath(), reloadNeeded: externalSnippetChanged(ctx.report.plan) }
        : { mode: 'container' },
    rolledBack: result.rolledBack,
    leftInPlace: result.leftInPlace,
    statePath: ctx.statePath,
    urls: urls(ctx),
    error: null,
  };
}

function printSummary(ctx: InstallContext, out: Output): void {
  const { color } = out;
  const u = urls(ctx);
  out.say('');
  for (const c of ctx.report.outcomes)
    out.say(
      `  ${c.name.padEnd(26)} ${c.action === 'unchanged' ? color.dim('unchanged') : color.green(c.action)}  ` +
        `(${c.machine})`,
    );
  out.say('');
  out.say(color.bold('heal-pyroscope is installed.'));
  const user = ctx.report.grafanaAdminUser ?? 'admin';
  out.say(
    ctx.topology.consolesPublished
      ? `  Grafana        ${u.grafana}  (user ${user}; or through SSH: \`heal-pyroscope open grafana\`)`
      : `  Grafana        ${u.grafana}  (user ${user}) once \`heal-pyroscope open grafana\` runs: it listens on ` +
          "the app host's loopback only",
  );
  out.say(
    ctx.topology.restrictFlows
      ? `  Pyroscope      ${u.pyroscope} (answers the web host only; read profiles in Grafana)`
      : `  Pyroscope      ${u.pyroscope} (app host; the front door ${u.frontDoor} takes pushes only)`,
  );
  out.say(
    ctx.topology.consolesPublished
      ? `  MinIO console  ${u.minioConsole}  (an object browser only, no admin pages)`
      : `  MinIO console  ${u.minioConsole}  once \`heal-pyroscope open minio\` runs (an object browser only)`,
  );
  if (ctx.options.frontDoor === 'external') {
    const [first, ...rest] = externalFrontDoorSteps(
      ctx.report.plan,
      ctx.topology.web.host,
      ctx.topology.frontDoorTls !== 'off',
      ctx.topology.frontDoorAuth === 'tenants',
    );
    out.say(`  Front door     ${first}`);
    for (const line of rest) out.say(`                 ${line}`);
  }
  out.say(
    `  Agents on target hosts send profiles and traces to ${u.frontDoor} (Pyroscope push, OTLP gRPC, Jaeger ` +
      `gRPC); it forwards nothing else.`,
  );
  if (ctx.topology.frontDoorAuth === 'tenants')
    out.say(
      `  Tenants        ${ctx.topology.tenants.join(', ')}: each push needs a tenant's credentials ` +
        '(`heal-pyroscope agents --show-secrets` prints them)',
    );
  if (ctx.report.tls)
    out.say(
      `  TLS: ${tlsSentence(ctx.report.tls)}; \`heal-pyroscope agents\` prints the CA and each agent's settings.`,
    );
  out.say(
    `  Credentials: ${ctx.statePath} (mode 0600; \`heal-pyroscope credentials\` prints them), and on the hosts ` +
      'under /opt/heal-pyroscope (readable by each container user only).',
  );
}
