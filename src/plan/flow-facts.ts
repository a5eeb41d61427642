// The flow rules each server machine should hold and what it holds, read over SSH: install plans
// from it, status reports the drift. Where a flow starts is asked of its source machine (`ip route
// get` the address it sends to): the address the destination sees, whatever the config names.

import { HealError } from '../core/errors.js';
import type { Host } from '../hosts/host.js';
import type { Inventory } from '../hosts/inventory.js';
import { SERVER_TIERS } from '../stack/manifest.js';
import type { TierAddresses } from './desired-stack.js';
import {
  flowRules,
  holdsRules,
  parseHeldRules,
  READ_SCRIPT,
  RESTRICTED_FLOWS,
  routeSource,
  rulesDrift,
  type FlowSource,
  type HeldRules,
  type MachineRules,
} from '../stack/flow-rules.js';
import type { ServerTier } from './plan.js';

export type FlowAction = 'apply' | 'remove' | 'unchanged';

/** One server machine: the rules it should hold (none when `flows.restrict` is off), what it holds. */
export interface FlowPlan {
  machine: string;
  want: MachineRules | null;
  held: HeldRules;
  action: FlowAction;
  /** Why `apply`: the drift found (for the plan). */
  reason?: string;
}

async function sourceAddress(from: Host, destination: string): Promise<FlowSource> {
  const result = await from.remote.exec(['ip', 'route', 'get', destination], { timeoutMs: 10_000 });
  const address = result.code === 0 ? routeSource(result.stdout) : undefined;
  if (!address) {
    throw new HealError({
      code: 'facts.route',
      message:
        `${from.name} has no route to ${destination}, so the flow rules cannot name its address: ` +
        `${result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`}`,
      hint: `check the network of ${from.name} (\`ip route get ${destination}\`), or set \`flows.restrict: false\``,
    });
  }
  return { machine: from.name, address };
}

/** What each machine's chain holds now. */
export async function readHeldRules(host: Host): Promise<HeldRules> {
  const result = await host.remote.exec(['sh', '-c', READ_SCRIPT], { timeoutMs: 15_000 });
  if (result.code !== 0) {
    throw new HealError({
      code: 'facts.flows',
      message: `cannot read the flow rules on ${host.name}: ${result.stderr.trim() || `exit ${result.code}`}`,
      hint: 'connect as root: iptables needs it',
    });
  }
  return parseHeldRules(result.stdout);
}

/** The rules every destination machine should hold, from where each restricted flow starts. */
export async function wantedRules(hosts: Inventory, addresses: TierAddresses): Promise<MachineRules[]> {
  const machineOf = Object.fromEntries(SERVER_TIERS.map((t) => [t, hosts.forTier(t).name])) as Record<
    ServerTier,
    string
  >;
  const sources = await Promise.all(
    RESTRICTED_FLOWS.map(
      async (flow) => [flow, await sourceAddress(hosts.forTier(flow.from), addresses[flow.to])] as const,
    ),
  );
  return flowRules(machineOf, (flow) => {
    const found = sources.find(([f]) => f === flow);
    if (!found) throw new Error(`no source asked for the flow ${flow.from} -> ${flow.to}`);
    return found[1];
  });
}

/** Plans each server machine's rules: apply (missing or drifted), remove (restriction off), or keep. */
export async function planFlows(hosts: Inventory, addresses: TierAddresses, restrict: boolean): Promise<FlowPlan[]> {
  const wanted = restrict ? await wantedRules(hosts, addresses) : [];
  return Promise.all(
    hosts.servers().map(async (host): Promise<FlowPlan> => {
      const held = await readHeldRules(host);
      const want = wanted.find((w) => w.machine === host.name) ?? null;
      if (!want) return { machine: host.name, want, held, action: holdsRules(held) ? 'remove' : 'unchanged' };
      if (held.noIptables) {
        throw new HealError({
          code: 'install.no-iptables',
          message: `${host.name} has no iptables command, so its published ports cannot be limited to their flows`,
          hint: `install iptables on ${host.name} (the one Docker uses), or set \`flows.restrict: false\``,
        });
      }
      const drift = rulesDrift(want, held);
      return drift
        ? { machine: host.name, want, held, action: 'apply', reason: drift }
        : { machine: host.name, want, held, action: 'unchanged' };
    }),
  );
}
