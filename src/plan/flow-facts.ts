// The flow rules each server machine should hold and what it holds, read over SSH: install plans
// from it, status reports the drift. Where a flow starts is asked of its source machine (`ip route
// get` the address it sends to): the address the destination sees, whatever the config names.

import { HealError, isHealError } from '../core/errors.js';
import { NO_HELPER } from '../remote/root-access.js';
import type { Host } from '../hosts/host.js';
import type { Topology } from '../config/topology.js';
import type { Inventory } from '../hosts/inventory.js';
import type { FrontDoor } from '../render/context.js';
import { port, SERVER_TIERS } from '../stack/manifest.js';
import type { TierAddresses } from './desired-stack.js';
import {
  ANY_IPV4,
  consoleGrants,
  doorGrants,
  flowRules,
  holdsRules,
  namedSources,
  restrictsTo,
  parseHeldRules,
  READ_SCRIPT,
  restrictedFlows,
  routeSource,
  ruleSource,
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
  const result = await host.remote.root
    .exec(['sh', '-c', READ_SCRIPT], { timeoutMs: 15_000 })
    .catch((error: unknown) => {
      // A non-root user's dry run or status before the helper image is there: said, not guessed.
      if (isHealError(error) && error.code === NO_HELPER)
        return { code: 0, stdout: '', stderr: '', unread: error.message };
      throw error;
    });
  if ('unread' in result) return { lines: [], jump: false, noIptables: false, unread: result.unread };
  if (result.code !== 0) {
    throw new HealError({
      code: 'facts.flows',
      message: `cannot read the flow rules on ${host.name}: ${result.stderr.trim() || `exit ${result.code}`}`,
      hint: 'check iptables on the host (`iptables -S`), or set `flows.restrict: false`',
    });
  }
  return parseHeldRules(result.stdout);
}

/** What the rules are made from, beyond the flows: the front door's mode and the sources named. */
export interface FlowSettings extends Pick<
  Topology,
  'restrictFlows' | 'frontDoorAllowFrom' | 'consolesPublished' | 'consolesAllowFrom' | 'grafanaPort' | 'otlpHttp'
> {
  frontDoor: FrontDoor;
}

/** Where each target's agents reach the web host from: asked of every target. */
export async function askTargets(hosts: Inventory, addresses: TierAddresses): Promise<FlowSource[]> {
  return Promise.all(hosts.serving('target').map((target) => sourceAddress(target, addresses.web)));
}

/**
 * The targets' sources as the web machine's rules hold them (its front-door returns that the config
 * does not name): status reads them there instead of asking every target. Install asks.
 */
export function heldTargets(held: HeldRules, named: readonly string[]): FlowSource[] {
  const door = port('haproxy.front-door');
  const addresses = held.lines.flatMap((line) => ruleSource(line, door)?.replace(/\/32$/, '') ?? []);
  return [...new Set(addresses)]
    .filter((address) => !named.includes(address))
    .map((address) => ({ machine: 'target', address }));
}

/** The machines that should hold rules: the server flows' destinations, a restricted door's, the consoles'. */
export function ruleMachines(hosts: Inventory, settings: FlowSettings): Set<string> {
  if (!settings.restrictFlows) return new Set();
  const door =
    settings.frontDoor === 'container' &&
    (hosts.serving('target').length > 0 || settings.frontDoorAllowFrom.length > 0) &&
    !settings.frontDoorAllowFrom.includes(ANY_IPV4);
  const consoles = settings.consolesPublished && restrictsTo(settings.consolesAllowFrom);
  return new Set([
    ...restrictedFlows(settings).map((f) => hosts.forTier(f.to).name),
    ...(door ? [hosts.forTier('web').name] : []),
    ...(consoles ? [hosts.forTier('app').name, hosts.forTier('db').name] : []),
  ]);
}

/**
 * The rules every destination machine should hold: the server flows, from where each starts; the
 * front door (our container only), from the targets and the sources named; the published
 * consoles, from the sources named for them.
 */
export async function wantedRules(
  hosts: Inventory,
  addresses: TierAddresses,
  settings: FlowSettings,
  targets: () => Promise<FlowSource[]> = () => askTargets(hosts, addresses),
): Promise<MachineRules[]> {
  const machineOf = Object.fromEntries(SERVER_TIERS.map((t) => [t, hosts.forTier(t).name])) as Record<
    ServerTier,
    string
  >;
  const flows = restrictedFlows(settings);
  const sources = await Promise.all(
    flows.map(async (flow) => [flow, await sourceAddress(hosts.forTier(flow.from), addresses[flow.to])] as const),
  );
  const door =
    settings.frontDoor === 'container'
      ? doorGrants(machineOf.web, port('haproxy.front-door'), [
          ...(await targets()),
          ...namedSources('frontDoor.allowFrom', settings.frontDoorAllowFrom),
        ])
      : [];
  const consoles = consoleGrants(
    [
      { machine: machineOf.app, port: settings.grafanaPort },
      { machine: machineOf.db, port: port('minio.console') },
    ],
    settings.consolesPublished,
    namedSources('consoles.allowFrom', settings.consolesAllowFrom),
  );
  return flowRules(
    machineOf,
    flows,
    (flow) => {
      const found = sources.find(([f]) => f === flow);
      if (!found) throw new Error(`no source asked for the flow ${flow.from} -> ${flow.to}`);
      return found[1];
    },
    [...door, ...consoles],
  );
}

/** Plans each server machine's rules: apply (missing or drifted), remove (restriction off), or keep. */
export async function planFlows(
  hosts: Inventory,
  addresses: TierAddresses,
  settings: FlowSettings,
): Promise<FlowPlan[]> {
  const wanted = settings.restrictFlows ? await wantedRules(hosts, addresses, settings) : [];
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
