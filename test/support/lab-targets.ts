// A lab host as a transport target: root with the lab key, the lab's known_hosts, no agent, and
// its bastion as the jump host. Free of vitest imports so benches can use it too.
import type { SshTarget } from '../../src/remote/index.js';

interface LabHostLike {
  name: string;
  address: string;
  sshPort: number;
  dockerSocket: string | null;
  jumpHost: string | null;
}

interface LabLike {
  keys: { root: string };
  knownHosts: string;
  hosts: readonly LabHostLike[];
}

/** `common` applies to the host and its jump host; `overrides` to the host only. */
export function labTarget(
  lab: LabLike,
  name: string,
  overrides: Partial<SshTarget> = {},
  common: Partial<SshTarget> = {},
): SshTarget {
  const h = lab.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`lab has no host ${name}`);
  return {
    name: h.name,
    host: h.address,
    port: h.sshPort,
    user: 'root',
    identityFiles: [lab.keys.root],
    agent: false,
    knownHostsFile: lab.knownHosts,
    dockerSocket: h.dockerSocket ?? '/var/run/docker.sock',
    ...common,
    ...(h.jumpHost ? { jump: labTarget(lab, h.jumpHost, {}, common) } : {}),
    ...overrides,
  };
}
