// Ports the stack will listen on must be free. A port held by this product's own container (a
// re-run) passes; anything else fails, naming the process or container holding it.
import { LABELS, PRODUCT, listenPorts, type StackOptions } from '../stack/manifest.js';
import type { Host } from '../hosts/host.js';
import { factsOf, result, type Check, type CheckResult } from './check.js';
import type { HostFacts } from '../hosts/facts.js';

export interface PortHolder {
  port: number;
  /** `container heal-pyroscope-pyroscope`, `process nc (pid 12)`, or `unknown process`. */
  holder: string;
  ours: boolean;
  /** The holder looks like an HAProxy (the guide's existing "Web HAProxy"). */
  haproxy: boolean;
}

export function portHolders(facts: HostFacts, ports: readonly number[]): PortHolder[] {
  const holders: PortHolder[] = [];
  for (const port of ports) {
    const container = facts.docker?.containers.find((c) => c.state === 'running' && c.publishedPorts.includes(port));
    const listener = facts.listeners?.find((l) => l.port === port);
    if (container) {
      const name = container.name || container.id.slice(0, 12);
      const ours = container.labels[LABELS.product] === PRODUCT;
      holders.push({
        port,
        holder: `container ${name} (${container.image})`,
        ours,
        haproxy: !ours && /haproxy/i.test(container.image),
      });
    } else if (listener) {
      const holder = listener.process ? `process ${listener.process}` : 'a process (run as root to see which)';
      holders.push({ port, holder, ours: false, haproxy: /haproxy/i.test(listener.process ?? '') });
    }
  }
  return holders;
}

export function portsFor(host: Pick<Host, 'tiers'>, grafanaPort: number, options: StackOptions): number[] {
  return [...new Set(host.tiers.flatMap((t) => listenPorts(t, { grafana: grafanaPort }, options)))].sort(
    (a, b) => a - b,
  );
}

export const portsCheck: Check = {
  id: 'ports.free',
  title: 'Stack ports free',
  tiers: ['web', 'app', 'db'],
  needsDocker: true,
  run: (host, ctx): CheckResult[] => {
    const facts = factsOf(host);
    const ports = portsFor(host, ctx.topology.grafanaPort, ctx.topology);
    const holders = portHolders(facts, ports);
    const foreign = holders.filter((h) => !h.ours);
    const evidence = holders.map((h) => `${h.port}: ${h.holder}${h.ours ? ' (installed by heal-pyroscope)' : ''}`);
    const name = host.name;
    if (foreign.length > 0) {
      const haproxy = foreign.find((h) => h.haproxy && h.port === 9940);
      return [
        result(portsCheck, name, 'fail', `in use: ${foreign.map((h) => `${h.port} by ${h.holder}`).join('; ')}`, {
          evidence,
          remedy: haproxy
            ? 'an HAProxy already serves 9940 (the "Web HAProxy"): keep it and route to the app host from it ' +
              'instead of running a second front door'
            : `stop what holds ${foreign.map((h) => h.port).join(', ')}, or move the stack to a host where ` +
              `they are free`,
        }),
      ];
    }
    if (facts.listeners === null) {
      return [
        result(
          portsCheck,
          name,
          'warn',
          `cannot list listening sockets (no \`ss\`); Docker shows none of ${ports.join(', ')} in use`,
          { evidence, remedy: 'install iproute2 on the host for a complete check' },
        ),
      ];
    }
    const summary =
      holders.length > 0 ? `${ports.join(', ')} free or held by heal-pyroscope` : `${ports.join(', ')} free`;
    return [result(portsCheck, name, 'pass', summary, { evidence })];
  },
};
