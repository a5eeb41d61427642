// `agents [AGENT]`: what to put into each agent so that it sends to this stack's front door, filled
// with the door's URL (from the config: nothing is contacted) and an application name.
import { agentGuides, type AgentName } from '../agents/agents.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { TopologyFlags } from '../console/topology-options.js';
import { port } from '../stack/manifest.js';

export interface AgentsFlags extends TopologyFlags, ConnectFlags {
  agent?: AgentName;
  service?: string;
}

export const DEFAULT_APP = 'my-app';

/** The door agents send to: the web host as the config names it, on 9940. */
export function doorUrl(webHost: string): string {
  return `http://${webHost.includes(':') ? `[${webHost}]` : webHost}:${port('haproxy.front-door')}`;
}

export async function runAgentsCommand(flags: AgentsFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(flags, ctx, async ({ topology }) => {
    const url = doorUrl(topology.web.host);
    const guides = agentGuides({ url, app: flags.service ?? DEFAULT_APP }).filter(
      (g) => !flags.agent || g.name === flags.agent,
    );
    const agents = Object.fromEntries(guides.map((g) => [g.name, g.snippet]));
    return {
      refused: {
        // No TLS and no tenants yet: the door takes anonymous pushes over plain HTTP.
        document: { frontDoor: { url, caCertificate: null }, tenants: [], agents },
        say: () => {
          out.say(
            `Agents send to the front door ${url}: plain HTTP, no authentication (any target may push; ` +
              'only targets reach it when flows.restrict is on).',
          );
          for (const g of guides) {
            out.say('');
            out.say(`${out.color.bold(g.title)}: ${g.sends}`);
            for (const line of g.snippet.split('\n')) out.say(`  ${line}`);
          }
        },
      },
    };
  });
}
