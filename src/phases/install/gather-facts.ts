// Phase: read each server tier's host once (containers, images, files, network, volumes), load or
// generate the credentials, render the configuration and decide the plan. Changes nothing; what
// it decides is the complete `Planned` stage every later phase reads.

import { readFile, stat } from 'node:fs/promises';
import { ExitCode, HealError, isHealError } from '../../core/errors.js';
import { generateSecrets, loadState, withTenantPasswords, type InstallState } from '../../state/state-file.js';
import type { Topology } from '../../config/topology.js';
import { StateStore, type StateOrigin } from '../../state/state-store.js';
import { frontDoorTlsFromHost, secretsFromHosts, tenantPasswordsFromHost } from '../shared/host-state.js';
import { NO_HELPER } from '../../remote/root-access.js';
import { COMPONENTS, containerName, LABELS, PRODUCT } from '../../stack/manifest.js';
import type { InstallContext } from './context.js';
import { desiredStack, frontDoorNames, tierAddresses } from '../../plan/desired-stack.js';
import { frontDoorTlsFor, operatorTls, type FrontDoorTls, type TlsChange } from '../../tls/certificates.js';
import type { Phase } from '../../runner/phase.js';
import { planInstall, remotePath, type TierFacts } from '../../plan/plan.js';
import { gatherTierFacts } from '../../plan/remote-facts.js';
import { planFlows } from '../../plan/flow-facts.js';

/**
 * Without a state file, and with no MinIO and Grafana container to read the credentials from,
 * install would generate new credentials; over what is left of a stack of ours (a container or a
 * data volume carrying our labels) that means new MinIO root credentials over the existing data.
 * Refused, before anything changes.
 */
export function refuseNewCredentialsOverAStack(statePath: string, facts: readonly TierFacts[]): void {
  const found = facts.flatMap((f) => [
    ...[...f.containers.values()]
      .filter((c) => c.labels[LABELS.product] === PRODUCT)
      .map((c) => `${f.machine}: container ${c.name}`),
    ...[...f.volumes].map((v) => `${f.machine}: volume ${v}`),
  ]);
  if (found.length === 0) return;
  throw new HealError({
    code: 'install.state-missing',
    message:
      `heal-pyroscope is installed on these hosts, but there is no state file at ${statePath}: a new install ` +
      'would generate new credentials over its data; nothing was changed',
    details: [...new Set(found)],
    hint:
      'copy the .heal-pyroscope/ directory from the machine that installed it beside this config (it holds ' +
      'the credentials), or restore it from a backup; to start over instead, `heal-pyroscope uninstall --purge`',
  });
}

/** The operator's PEM texts (`frontDoor.tls: files`), as read from their files. */
export interface OperatorTlsFiles {
  paths: { certificate: string; key: string; ca: string };
  texts: { certificate: string; key: string; ca: string };
}

/** Reads the operator's files; a key others can read, or a file that cannot be read, is refused (exit 2). */
export async function readOperatorTlsFiles(paths: OperatorTlsFiles['paths']): Promise<OperatorTlsFiles> {
  const refuse = (message: string, hint: string) =>
    new HealError({ code: 'config.tls-files', message, hint, exitCode: ExitCode.usage });
  const keyStat = await stat(paths.key).catch(() => undefined);
  if (keyStat && (keyStat.mode & 0o077) !== 0)
    throw refuse(
      `the door's key ${paths.key} is open to group or others (mode 0${(keyStat.mode & 0o777).toString(8)}); nothing was changed`,
      `chmod 600 ${paths.key}, then run again`,
    );
  const read = (path: string, what: string) =>
    readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw refuse(
        `frontDoor.${what} ${path} cannot be read: ${error.code ?? error.message}; nothing was changed`,
        `correct frontDoor.${what} in the config (relative paths start at the config file's directory)`,
      );
    });
  const [certificate, key, ca] = await Promise.all([
    read(paths.certificate, 'certificate'),
    read(paths.key, 'key'),
    read(paths.ca, 'ca'),
  ]);
  return { paths, texts: { certificate, key, ca } };
}

/**
 * The state with the door's TLS material made, kept or renewed for `names` (`generated`), or the
 * operator's (`files`, checked: refused when it cannot serve those names); null when TLS is off.
 */
export function withFrontDoorTls(
  state: InstallState,
  topology: Pick<Topology, 'frontDoorTls' | 'environment'>,
  names: readonly string[],
  now = new Date(),
  files?: OperatorTlsFiles,
): { state: InstallState; tls: { change: TlsChange; names: string[] } | null } {
  if (topology.frontDoorTls === 'off') return { state, tls: null };
  const withTls = (tls: FrontDoorTls) => ({ ...state, secrets: { ...state.secrets, frontDoorTls: tls } });
  if (topology.frontDoorTls === 'files') {
    if (!files) throw new Error('frontDoor.tls is files, but its files were not read');
    const found = operatorTls(files.texts, names, now);
    if ('problem' in found)
      throw new HealError({
        code: 'config.tls-files',
        message: `${found.problem} (frontDoor.certificate ${files.paths.certificate}); nothing was changed`,
        hint:
          `the certificate must chain to frontDoor.ca, match frontDoor.key and name ${names.join(', ')} ` +
          '(what agents dial); or set frontDoor.tls: generated',
        exitCode: ExitCode.usage,
      });
    return {
      state: withTls(found.tls),
      tls: { change: { kind: 'files', path: files.paths.certificate }, names: [...names] },
    };
  }
  const { tls, change } = frontDoorTlsFor(state.secrets.frontDoorTls, topology.environment, names, now);
  return { state: withTls(tls), tls: { change, names: [...names] } };
}

/** What happened to the door's certificate, in the facts phase's line. */
export function tlsSentence(tls: { change: TlsChange; names: readonly string[] }): string {
  const names = tls.names.join(', ');
  switch (tls.change.kind) {
    case 'kept':
      return `the front door's certificate for ${names} is kept`;
    case 'created':
      return `a CA and a front door certificate for ${names} are made`;
    case 'renewed':
      return `the front door's certificate is issued again for ${names} under the same CA: ${tls.change.why}`;
    case 'new-ca':
      return `a new CA and certificate are made for ${names} (${tls.change.why}): agents need the new CA (\`agents\`)`;
    case 'files':
      return `the front door serves your certificate ${tls.change.path} (checked for ${names})`;
  }
}

/**
 * The door's material on the web host (`frontDoor.tls: generated`); undefined when it has none, or
 * when a dry run of a non-root user cannot read it yet (no helper image before the lock).
 */
async function doorTlsOnHost(ctx: InstallContext): Promise<FrontDoorTls | undefined> {
  if (ctx.topology.frontDoorTls !== 'generated') return undefined;
  try {
    return await frontDoorTlsFromHost(ctx.hosts.forTier('web'));
  } catch (error) {
    if (isHealError(error) && error.code === NO_HELPER) return undefined;
    throw error;
  }
}

/** The tenants' passwords on the web host, as doorTlsOnHost reads the door's TLS material. */
async function doorTenantsOnHost(ctx: InstallContext): Promise<Record<string, string> | undefined> {
  if (ctx.topology.frontDoorAuth === 'none') return undefined;
  try {
    return await tenantPasswordsFromHost(ctx.hosts.forTier('web'));
  } catch (error) {
    if (isHealError(error) && error.code === NO_HELPER) return undefined;
    throw error;
  }
}

export const gatherFactsPhase: Phase<InstallContext> = {
  id: 'facts',
  title: 'Gather facts and plan',
  readOnly: true,
  async run(ctx) {
    const loaded = await loadState(ctx.statePath);
    // No local state: the credentials of a stack already installed are read from its containers,
    // never generated anew over it.
    const fromHosts = loaded ? null : await secretsFromHosts(ctx.hosts);
    const origin: StateOrigin = loaded ? 'file' : fromHosts ? 'hosts' : 'generated';
    const base = loaded ?? {
      version: 1 as const,
      environment: ctx.topology.environment,
      secrets: fromHosts ?? generateSecrets(),
    };
    const addresses = await tierAddresses(ctx.topology, ctx.hosts);
    // The hosts hold the truth: the CA agents trust is the one on the web host, whatever this
    // machine's state file says (a teammate's install may have made it).
    const onHost = fromHosts ? undefined : await doorTlsOnHost(ctx);
    if (onHost) base.secrets = { ...base.secrets, frontDoorTls: onHost };
    // The same for the tenants' passwords: the ones the door takes are kept, whoever made them.
    const tenantsOnHost = fromHosts ? undefined : await doorTenantsOnHost(ctx);
    base.secrets = withTenantPasswords(base.secrets, ctx.topology.tenants, tenantsOnHost);
    const files =
      ctx.topology.frontDoorTls === 'files' && ctx.topology.frontDoorTlsFiles
        ? await readOperatorTlsFiles(ctx.topology.frontDoorTlsFiles)
        : undefined;
    const { state, tls } = withFrontDoorTls(
      base,
      ctx.topology,
      frontDoorNames(ctx.topology, addresses),
      new Date(),
      files,
    );
    const { stack, specs } = desiredStack(ctx.topology, addresses, state.secrets, ctx.options.frontDoor);
    const names = COMPONENTS.map(containerName);
    const facts = await Promise.all(
      ctx.hosts
        .serverTiers()
        .map(({ tier, host }) =>
          gatherTierFacts(host, tier, names, stack.files.filter((f) => f.tier === tier).map(remotePath)),
        ),
    );
    if (origin === 'generated') refuseNewCredentialsOverAStack(ctx.statePath, facts);
    const plan = planInstall(stack.files, specs, facts);
    const flows = await planFlows(ctx.hosts, addresses, { ...ctx.topology, frontDoor: ctx.options.frontDoor });
    if (plan.conflicts.length > 0) {
      throw new HealError({
        code: 'install.conflict',
        message:
          'a container with a heal-pyroscope name exists that heal-pyroscope did not create; nothing was changed',
        details: plan.conflicts,
        hint: 'rename or remove that container yourself: heal-pyroscope never touches what it did not create',
      });
    }
    ctx.planned = { state: new StateStore(ctx.statePath, state, origin), addresses, stack, specs, facts, plan, flows };
    ctx.report.plan = plan;
    ctx.report.grafanaAdminUser = state.secrets.grafanaAdminUser;
    const pulls = plan.tiers.reduce((n, t) => n + t.pull.length, 0);
    const changes = plan.tiers.flatMap((t) => t.containers).filter((c) => c.action !== 'unchanged').length;
    ctx.report.tls = tls;
    return `${pulls} image(s) to pull, ${changes} container(s) to change${tls ? `; ${tlsSentence(tls)}` : ''}`;
  },
};
