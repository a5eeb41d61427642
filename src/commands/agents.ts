// `agents [AGENT]`: what to put into each agent so that it sends to this stack's front door, filled
// with the door's URL, the stack's CA (from the local state, or from the hosts when there is none)
// and an application name.
import { readFile } from 'node:fs/promises';
import { agentGuides, TARGET_CA_FILE, trustSteps, type AgentName } from '../agents/agents.js';
import type { Topology } from '../config/topology.js';
import { ExitCode, HealError } from '../core/errors.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand, type Outcome, type PhaseRun, type Settings } from '../console/lifecycle.js';
import type { Output } from '../console/output.js';
import type { TopologyFlags } from '../console/topology-options.js';
import type { Connector } from '../phases/shared/connect.js';
import { fromHostsNote, type HostStateContext } from '../phases/shared/host-state.js';
import { readFromHosts } from './credentials.js';
import { port } from '../stack/manifest.js';
import { loadState, type Secrets } from '../state/state-file.js';
import { pemBlocks } from '../tls/certificates.js';

export interface AgentsFlags extends TopologyFlags, ConnectFlags {
  agent?: AgentName;
  service?: string;
  /** Whose credentials fill the settings (default: the config's first tenant). */
  tenant?: string;
  /** Print the tenants' passwords; else they are masked. */
  showSecrets?: boolean;
}

export const DEFAULT_APP = 'my-app';

/** What a password reads as unless --show-secrets asks for it. */
export const MASKED_PASSWORD = '********';

/** The door agents send to: the web host as the config names it, on 9940. */
export function doorUrl(webHost: string, tls: boolean): string {
  const host = webHost.includes(':') ? `[${webHost}]` : webHost;
  return `${tls ? 'https' : 'http'}://${host}:${port('haproxy.front-door')}`;
}

export interface AgentsDocument {
  frontDoor: { url: string; caCertificate: string | null };
  /** The password is null unless --show-secrets asked for it. */
  tenants: Array<{ name: string; username: string; password: string | null }>;
  agents: Record<string, string>;
}

function noCa(why: string): HealError {
  return new HealError({
    code: 'agents.no-ca',
    message: `the front door speaks TLS, but its CA is not known: ${why}`,
    hint: 'run `heal-pyroscope install` first (it makes the CA), or run this beside the config the stack was installed with',
  });
}

function noPassword(tenant: string): HealError {
  return new HealError({
    code: 'agents.no-tenant',
    message: `tenant ${tenant} has no credentials yet: the stack was installed before it was in the config`,
    hint: 'run `heal-pyroscope install` (it makes them and gives them to the front door), then this again',
  });
}

/** What the door needs of the state: its CA (TLS), the tenants' passwords (authentication). */
export interface DoorSecrets {
  /** The CA agents trust (PEM); null when none is known, or for a plain door. */
  ca: string | null;
  passwords: Readonly<Record<string, string>>;
}

const known = (secrets: Pick<Secrets, 'frontDoorTls' | 'tenantPasswords'>, ca?: string): DoorSecrets => ({
  ca: ca ?? secrets.frontDoorTls?.caCertificate ?? null,
  passwords: secrets.tenantPasswords ?? {},
});

/** The tenant --tenant names (the first one by default); refuses one the config does not name. */
export function chosenTenant(topology: Pick<Topology, 'frontDoorAuth' | 'tenants'>, asked?: string): string | null {
  if (topology.frontDoorAuth === 'none') {
    if (asked === undefined) return null;
    throw new HealError({
      code: 'agents.tenant',
      message: `--tenant ${asked}: the front door takes no credentials (frontDoor.auth: none)`,
      hint: 'drop --tenant, or set frontDoor.auth: tenants and run install',
      exitCode: ExitCode.usage,
    });
  }
  const tenant = asked ?? topology.tenants[0];
  if (tenant === undefined || !topology.tenants.includes(tenant))
    throw new HealError({
      code: 'agents.tenant',
      message: `--tenant ${String(asked)} is not one of the config's tenants (${topology.tenants.join(', ')})`,
      hint: 'name one of them, or add it to `tenants` in the config and run install',
      exitCode: ExitCode.usage,
    });
  return tenant;
}

/** The settings for every agent (or one), as printed and as --json. */
export function agentsOutcome(
  out: Output,
  topology: Pick<Topology, 'web' | 'frontDoorTls' | 'frontDoorAuth' | 'tenants' | 'otlpHttp'>,
  door: DoorSecrets,
  flags: Pick<AgentsFlags, 'agent' | 'service' | 'tenant' | 'showSecrets'>,
  note?: string,
): Outcome<AgentsDocument> {
  const tls = topology.frontDoorTls !== 'off';
  const ca = tls ? door.ca : null;
  if (tls && ca === null) throw noCa('the state has none (it predates TLS on the door)');
  const tenant = chosenTenant(topology, flags.tenant);
  const shown = (name: string): string => {
    const password = door.passwords[name];
    if (password === undefined) throw noPassword(name);
    return flags.showSecrets ? password : MASKED_PASSWORD;
  };
  const url = doorUrl(topology.web.host, tls);
  const guides = agentGuides({
    url,
    app: flags.service ?? DEFAULT_APP,
    caFile: tls ? TARGET_CA_FILE : null,
    credentials: tenant === null ? null : { username: tenant, password: shown(tenant) },
    otlpHttp: topology.otlpHttp,
  }).filter((g) => !flags.agent || g.name === flags.agent);
  const agents = Object.fromEntries(guides.map((g) => [g.name, g.snippet]));
  // Every tenant with credentials; one added to the config since the last install is named below.
  const made = topology.tenants.filter((name) => door.passwords[name] !== undefined);
  const pending = topology.tenants.filter((name) => door.passwords[name] === undefined);
  const tenants = made.map((name) => ({ name, username: name, password: flags.showSecrets ? shown(name) : null }));
  return {
    document: { frontDoor: { url, caCertificate: ca }, tenants, agents },
    say: () => {
      if (note) out.say(out.color.dim(note));
      const transport = tls ? "TLS, checked against the door's CA (below)" : 'plain HTTP (frontDoor.tls: off)';
      const auth =
        tenant === null
          ? 'no authentication (frontDoor.auth: none)'
          : `basic auth as tenant ${tenant}${flags.showSecrets ? '' : ' (password masked: add --show-secrets)'}`;
      out.say(`Agents send to the front door ${url}: ${transport}; ${auth}.`);
      if (pending.length > 0)
        out.say(`No credentials yet for ${pending.join(', ')}: \`heal-pyroscope install\` makes them.`);
      if (tenants.length > 1)
        out.say(`Tenants: ${tenants.map((t) => t.name).join(', ')} (--tenant NAME fills the settings for another).`);
      if (ca) {
        out.say('');
        out.say(`${out.color.bold("The door's CA")}: save it as ca.pem, then on each target:`);
        for (const line of trustSteps(TARGET_CA_FILE).split('\n').slice(1)) out.say(`  ${line}`);
        out.say('');
        for (const line of ca.trimEnd().split('\n')) out.say(line);
      }
      for (const g of guides) {
        out.say('');
        out.say(`${out.color.bold(g.title)}: ${g.sends}`);
        for (const line of g.snippet.split('\n')) out.say(`  ${line}`);
      }
    },
  };
}

export async function runAgentsCommand(flags: AgentsFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(flags, ctx, async ({ topology, statePath, connect }) => {
    // Refused before anything is read: a tenant the config does not name.
    chosenTenant(topology, flags.tenant);
    const needsPasswords = topology.frontDoorAuth === 'tenants';
    // The operator's CA is their file.
    let operatorCa: string | undefined;
    if (topology.frontDoorTls === 'files' && topology.frontDoorTlsFiles) {
      const path = topology.frontDoorTlsFiles.ca;
      const text = await readFile(path, 'utf8').catch((error: Error) => {
        throw noCa(`frontDoor.ca ${path} cannot be read (${error.message})`);
      });
      // As install takes it: the file's first PEM certificate.
      operatorCa = pemBlocks(text).find((b) => b.label === 'CERTIFICATE')?.pem;
      if (!operatorCa) throw noCa(`frontDoor.ca ${path} holds no PEM certificate`);
    }
    // Nothing to read from a state: a plain door without authentication, or the operator's CA.
    if (!needsPasswords && (topology.frontDoorTls === 'off' || operatorCa))
      return { refused: agentsOutcome(out, topology, { ca: operatorCa ?? null, passwords: {} }, flags) };
    const state = await loadState(statePath);
    if (state) return { refused: agentsOutcome(out, topology, known(state.secrets, operatorCa), flags) };
    return fromHosts(flags, out, { statePath, topology, connect }, operatorCa);
  });
}

/** No local state: the CA the door serves and the tenants' passwords are on the web host. */
function fromHosts(
  flags: AgentsFlags,
  out: Output,
  settings: Pick<Settings, 'statePath' | 'topology' | 'connect'>,
  operatorCa: string | undefined,
): PhaseRun<HostStateContext & { connect: Connector }, AgentsDocument> {
  return readFromHosts(settings, (found) => {
    const secrets = found?.state.secrets;
    if (!secrets) {
      if (settings.topology.frontDoorTls !== 'off' && !operatorCa) throw noCa('the hosts hold none');
      throw noPassword(chosenTenant(settings.topology, flags.tenant) ?? '');
    }
    return agentsOutcome(out, settings.topology, known(secrets, operatorCa), flags, fromHostsNote(settings.statePath));
  });
}
