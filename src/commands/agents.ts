// `agents [AGENT]`: what to put into each agent so that it sends to this stack's front door, filled
// with the door's URL, the stack's CA (from the local state, or from the hosts when there is none)
// and an application name.
import { readFile } from 'node:fs/promises';
import { agentGuides, TARGET_CA_FILE, trustSteps, type AgentName } from '../agents/agents.js';
import type { Topology } from '../config/topology.js';
import { HealError } from '../core/errors.js';
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
}

export const DEFAULT_APP = 'my-app';

/** The door agents send to: the web host as the config names it, on 9940. */
export function doorUrl(webHost: string, tls: boolean): string {
  const host = webHost.includes(':') ? `[${webHost}]` : webHost;
  return `${tls ? 'https' : 'http'}://${host}:${port('haproxy.front-door')}`;
}

export interface AgentsDocument {
  frontDoor: { url: string; caCertificate: string | null };
  tenants: never[];
  agents: Record<string, string>;
}

function noCa(why: string): HealError {
  return new HealError({
    code: 'agents.no-ca',
    message: `the front door speaks TLS, but its CA is not known: ${why}`,
    hint: 'run `heal-pyroscope install` first (it makes the CA), or run this beside the config the stack was installed with',
  });
}

const caOf = (secrets: Pick<Secrets, 'frontDoorTls'>): string | null => secrets.frontDoorTls?.caCertificate ?? null;

/** The settings for every agent (or one), as printed and as --json. */
export function agentsOutcome(
  out: Output,
  topology: Pick<Topology, 'web' | 'frontDoorTls'>,
  /** The CA agents trust (PEM); null when none is known, or for a plain door. */
  known: string | null,
  flags: Pick<AgentsFlags, 'agent' | 'service'>,
  note?: string,
): Outcome<AgentsDocument> {
  const tls = topology.frontDoorTls !== 'off';
  const ca = tls ? known : null;
  if (tls && ca === null) throw noCa('the state has none (it predates TLS on the door)');
  const url = doorUrl(topology.web.host, tls);
  const guides = agentGuides({ url, app: flags.service ?? DEFAULT_APP, caFile: tls ? TARGET_CA_FILE : null }).filter(
    (g) => !flags.agent || g.name === flags.agent,
  );
  const agents = Object.fromEntries(guides.map((g) => [g.name, g.snippet]));
  return {
    document: { frontDoor: { url, caCertificate: ca }, tenants: [], agents },
    say: () => {
      if (note) out.say(out.color.dim(note));
      out.say(
        tls
          ? `Agents send to the front door ${url}: TLS, checked against the door's CA (below); no authentication ` +
              'yet (only targets reach it when flows.restrict is on).'
          : `Agents send to the front door ${url}: plain HTTP (frontDoor.tls: off), no authentication (only ` +
              'targets reach it when flows.restrict is on).',
      );
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
    if (topology.frontDoorTls === 'off') return { refused: agentsOutcome(out, topology, null, flags) };
    // The operator's CA is their file: no state or host needed.
    if (topology.frontDoorTls === 'files' && topology.frontDoorTlsFiles) {
      const path = topology.frontDoorTlsFiles.ca;
      const text = await readFile(path, 'utf8').catch((error: Error) => {
        throw noCa(`frontDoor.ca ${path} cannot be read (${error.message})`);
      });
      // As install takes it: the file's first PEM certificate.
      const caCertificate = pemBlocks(text).find((b) => b.label === 'CERTIFICATE')?.pem;
      if (!caCertificate) throw noCa(`frontDoor.ca ${path} holds no PEM certificate`);
      return { refused: agentsOutcome(out, topology, caCertificate, flags) };
    }
    const state = await loadState(statePath);
    if (state) return { refused: agentsOutcome(out, topology, caOf(state.secrets), flags) };
    return fromHosts(flags, out, { statePath, topology, connect });
  });
}

/** No local state: the CA the door serves is on the web host, like the other credentials. */
function fromHosts(
  flags: AgentsFlags,
  out: Output,
  settings: Pick<Settings, 'statePath' | 'topology' | 'connect'>,
): PhaseRun<HostStateContext & { connect: Connector }, AgentsDocument> {
  return readFromHosts(settings, (found) => {
    const secrets = found?.state.secrets;
    if (!secrets?.frontDoorTls) throw noCa('the hosts hold none');
    return agentsOutcome(out, settings.topology, caOf(secrets), flags, fromHostsNote(settings.statePath));
  });
}
