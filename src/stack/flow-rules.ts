// The flow rules: each published port of the stack answers only the sources of its flow: the app
// and db hosts' ports their server flows (web -> app 4040, 4317, 14250, 3200; app -> db 9000).
// Docker publishes a port by DNAT, so a connection from another host crosses the FORWARD chain,
// whose first stop is Docker's documented DOCKER-USER chain: we hang our own chain there. Pure:
// the rules as data, their iptables-restore text, and how to tell them from what a host holds
// (status, drift, the plan).
//
// The front door (9940) answers the targets and the sources the operator names; Grafana and the
// MinIO console, when published on every address, answer the sources named for them.
//
// What the rules do not touch: traffic from a local bridge (containers of the same machine, over
// the Docker network) and connections the host makes to itself. Docker publishes IPv4 by DNAT
// only; IPv6 is not covered.

import { createHash } from 'node:crypto';
import { flowsFor, type Flow, type StackOptions, type Tier } from './manifest.js';

type ServerTier = Exclude<Tier, 'target'>;

/** Every IPv4 address: a list of sources that holds it lets anyone in. */
export const ANY_IPV4 = '0.0.0.0/0';

/** Our chain in the filter table, jumped to from the top of DOCKER-USER. */
export const FLOW_CHAIN = 'HEAL-PYROSCOPE';
/** Docker's chain for rules of one's own on published ports (docs.docker.com, packet filtering). */
export const DOCKER_USER_CHAIN = 'DOCKER-USER';
/** The comment on a chain's first rule: a digest of the rule set, naming it to whoever reads `iptables -S`. */
export const DIGEST_PREFIX = 'heal-pyroscope flows';

export type RestrictedFlow = Flow & { from: ServerTier; to: ServerTier };

/** The flows whose destination ports the rules restrict: every flow but target -> web. */
export function restrictedFlows(options: StackOptions): readonly RestrictedFlow[] {
  return flowsFor(options).filter((f): f is RestrictedFlow => f.from !== 'target' && f.to !== 'target');
}

export interface FlowSource {
  /** The machine the flow starts on. */
  machine: string;
  /** Its address, as the destination sees it (`ip route get DEST` on the source: its `src`). */
  address: string;
}

export interface PortRule {
  port: number;
  from: FlowSource[];
}

/** One machine's rules: its restricted ports, each with the sources allowed. */
export interface MachineRules {
  machine: string;
  ports: PortRule[];
}

/** A port one source may reach on a machine besides the server flows: the front door's, the consoles'. */
export interface Grant {
  machine: string;
  port: number;
  from: FlowSource;
}

/**
 * The rules per machine from the server flows (for each, where it starts) and the other grants.
 * A machine and port named by no flow or grant gets no rule: that port stays open to every address.
 */
export function flowRules(
  machineOf: Readonly<Record<ServerTier, string>>,
  flows: readonly RestrictedFlow[],
  sourceOf: (flow: RestrictedFlow) => FlowSource,
  grants: readonly Grant[] = [],
): MachineRules[] {
  const all: Grant[] = [
    ...flows.flatMap((flow) => {
      const from = sourceOf(flow);
      return flow.ports.map((port) => ({ machine: machineOf[flow.to], port, from }));
    }),
    ...grants,
  ];
  const byMachine = new Map<string, Map<number, FlowSource[]>>();
  for (const { machine, port, from: source } of all) {
    const ports = byMachine.get(machine) ?? new Map<number, FlowSource[]>();
    const from = ports.get(port) ?? [];
    if (!from.some((s) => s.address === source.address)) from.push(source);
    ports.set(port, from);
    byMachine.set(machine, ports);
  }
  return [...byMachine]
    .map(([machine, ports]) => ({
      machine,
      ports: [...ports]
        .map(([port, from]) => ({ port, from: [...from].sort((a, b) => a.address.localeCompare(b.address)) }))
        .sort((a, b) => a.port - b.port),
    }))
    .sort((a, b) => a.machine.localeCompare(b.machine));
}

/** Sources the operator names in the config (an address or a network), under the setting's key. */
export function namedSources(key: string, addresses: readonly string[]): FlowSource[] {
  return addresses.map((address) => ({ machine: key, address }));
}

/** A list of sources that names every address (`0.0.0.0/0`) lets anyone in: it restricts nothing. */
export function restrictsTo(sources: readonly string[]): boolean {
  return sources.length > 0 && !sources.includes(ANY_IPV4);
}

/** The front door's grants: each target, and whoever else the operator names (an open door: none). */
export function doorGrants(web: string, port: number, sources: readonly FlowSource[]): Grant[] {
  if (!restrictsTo(sources.map((s) => s.address))) return [];
  return sources.map((from) => ({ machine: web, port, from }));
}

/**
 * The consoles' grants, when they are published and the operator names who may reach them. Not
 * published (loopback) or published to all (no names, or `0.0.0.0/0`): none.
 */
export function consoleGrants(
  consoles: readonly { machine: string; port: number }[],
  published: boolean,
  sources: readonly FlowSource[],
): Grant[] {
  if (!published || !restrictsTo(sources.map((s) => s.address))) return [];
  return consoles.flatMap(({ machine, port }) => sources.map((from) => ({ machine, port, from })));
}

/** iptables' form of a source: a bare address is its /32 network, as `iptables -S` prints it. */
function sourceMatch(address: string): string {
  return address.includes('/') ? address : `${address}/32`;
}

const match = (port: number) => `-p tcp -m conntrack --ctorigdstport ${port} --ctdir ORIGINAL`;

/**
 * The chain's rules as `iptables -S` prints them. Local bridges return first (Docker's own and
 * user-defined: containers of this machine); then each allowed source returns; any other new
 * connection to a restricted port gets a TCP reset (refused at once, not left to time out).
 */
function body(rules: MachineRules): string[] {
  return [
    `-A ${FLOW_CHAIN} -i br-+ -j RETURN`,
    ...rules.ports.flatMap(({ port, from }) => [
      ...from.map((s) => `-A ${FLOW_CHAIN} -s ${sourceMatch(s.address)} ${match(port)} -j RETURN`),
      `-A ${FLOW_CHAIN} ${match(port)} -j REJECT --reject-with tcp-reset`,
    ]),
  ];
}

export function rulesDigest(rules: MachineRules): string {
  return createHash('sha256').update(body(rules).join('\n')).digest('hex').slice(0, 16);
}

/** Every rule of the chain, as `iptables -S CHAIN` lists them (its `-N` line aside). */
export function ruleLines(rules: MachineRules): string[] {
  return [
    `-A ${FLOW_CHAIN} -i docker0 -m comment --comment "${DIGEST_PREFIX} ${rulesDigest(rules)}" -j RETURN`,
    ...body(rules),
  ];
}

/** The iptables-restore input (with --noflush) that replaces the chain's rules with `lines`, atomically. */
export function restoreText(lines: readonly string[]): string {
  return ['*filter', `:${FLOW_CHAIN} - [0:0]`, ...lines, 'COMMIT', ''].join('\n');
}

// stdin: the iptables-restore input. Creates the chain if missing, replaces its rules in one
// transaction, then makes sure DOCKER-USER jumps to it first. DOCKER-USER missing means an engine
// that manages no iptables rules (`"iptables": false`): its ports are not published by DNAT.
export const APPLY_SCRIPT = [
  `iptables -n -L ${DOCKER_USER_CHAIN} >/dev/null 2>&1 || { echo "no ${DOCKER_USER_CHAIN} chain: the engine manages no iptables rules" >&2; exit 3; }`,
  `iptables -n -L ${FLOW_CHAIN} >/dev/null 2>&1 || iptables -N ${FLOW_CHAIN}`,
  'iptables-restore --noflush',
  `iptables -C ${DOCKER_USER_CHAIN} -j ${FLOW_CHAIN} 2>/dev/null || iptables -I ${DOCKER_USER_CHAIN} 1 -j ${FLOW_CHAIN}`,
].join(' && ');

// Removes the jump (every copy) and the chain; nothing to do when they are gone.
export const REMOVE_SCRIPT = [
  `while iptables -D ${DOCKER_USER_CHAIN} -j ${FLOW_CHAIN} 2>/dev/null; do :; done`,
  `if iptables -n -L ${FLOW_CHAIN} >/dev/null 2>&1; then iptables -F ${FLOW_CHAIN} && iptables -X ${FLOW_CHAIN}; fi`,
].join('; ');

// Prints the chain's rules, then whether DOCKER-USER jumps to it. Exit 0 even when missing.
export const READ_SCRIPT = [
  'command -v iptables >/dev/null 2>&1 || { echo "#no-iptables"; exit 0; }',
  `iptables -S ${FLOW_CHAIN} 2>/dev/null`,
  `if iptables -C ${DOCKER_USER_CHAIN} -j ${FLOW_CHAIN} 2>/dev/null; then echo "#jump"; fi`,
  'exit 0',
].join('; ');

/** What a machine holds, from READ_SCRIPT's output. */
export interface HeldRules {
  /** `-A` lines of our chain (empty when it has none or does not exist). */
  lines: string[];
  /** DOCKER-USER jumps to our chain. */
  jump: boolean;
  /** The host has no iptables command. */
  noIptables: boolean;
  /** Why the rules could not be read (then `lines` and `jump` say nothing). */
  unread?: string;
}

/** The machine holds something of ours: rules in the chain, or DOCKER-USER's jump to it. */
export function holdsRules(held: HeldRules): boolean {
  return held.lines.length > 0 || held.jump;
}

export function parseHeldRules(stdout: string): HeldRules {
  const all = stdout.split('\n').map((l) => l.trim());
  return {
    lines: all.filter((l) => l.startsWith(`-A ${FLOW_CHAIN} `)),
    jump: all.includes('#jump'),
    noIptables: all.includes('#no-iptables'),
  };
}

/**
 * Why what a machine holds is not `rules` (one line), or null when it is. `null`: the machine should
 * hold rules but none could be named (status found no target in them).
 */
export function rulesDrift(rules: MachineRules | null, held: HeldRules): string | null {
  if (held.noIptables) return 'no iptables command: the flow rules cannot be read';
  if (held.unread) return `flow rules not read: ${held.unread}`;
  if (held.lines.length === 0) return `flow rules missing (no ${FLOW_CHAIN} chain rules)`;
  // Line by line: `ruleLines` writes them as `iptables -S` prints them back.
  const want = rules ? ruleLines(rules) : [];
  if (held.lines.length !== want.length || held.lines.some((line, i) => line !== want[i]))
    return 'flow rules differ from the configuration';
  if (!held.jump) return `flow rules not in force (${DOCKER_USER_CHAIN} does not jump to ${FLOW_CHAIN})`;
  return null;
}

/** One line per port group for the plan and status: "4040, 4317 from web-01 (10.0.0.11)". */
export function describeRules(rules: MachineRules): string {
  const groups = new Map<string, number[]>();
  for (const { port, from } of rules.ports) {
    const key = from.map((s) => `${s.machine} (${s.address})`).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), port]);
  }
  return [...groups].map(([from, ports]) => `${ports.join(', ')} only from ${from}`).join('; ');
}

// What a kept rule may look like: exactly the forms `ruleLines` writes, nothing else. A pending-undo
// file is read back from disk: a rule of any other shape is refused, not handed to iptables.
const IPV4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';
const OWN_RULE = new RegExp(
  [
    `^-A ${FLOW_CHAIN} -i docker0 -m comment --comment "${DIGEST_PREFIX} [0-9a-f]{16}" -j RETURN$`,
    `^-A ${FLOW_CHAIN} -i br-\\+ -j RETURN$`,
    `^-A ${FLOW_CHAIN} -s ${IPV4}/\\d{1,2} -p tcp -m conntrack --ctorigdstport \\d{1,5} --ctdir ORIGINAL -j RETURN$`,
    `^-A ${FLOW_CHAIN} -p tcp -m conntrack --ctorigdstport \\d{1,5} --ctdir ORIGINAL -j REJECT --reject-with tcp-reset$`,
  ].join('|'),
);

export function isOwnRule(line: string): boolean {
  return OWN_RULE.test(line);
}

/** The source a rule of ours lets reach `port` (as iptables prints it: `10.0.0.21/32`), if it is one. */
export function ruleSource(line: string, port: number): string | undefined {
  const m = new RegExp(`^-A ${FLOW_CHAIN} -s (\\S+) ${match(port)} -j RETURN$`).exec(line);
  return m?.[1];
}

/** The source address in `ip route get DEST` output (`DEST dev eth0 src 10.0.0.11 uid 0`). */
export function routeSource(stdout: string): string | undefined {
  const m = /\bsrc (\d{1,3}(?:\.\d{1,3}){3})\b/.exec(stdout);
  return m?.[1];
}
