// Which hosts a list names twice. The same machine twice among the targets is a mistake (it would be
// connected, checked and probed twice); a target that is also the web, app or db host, and web, app
// and db on one machine, are supported layouts and are not reported. Free of zod, for the prompts.

/** A host entry as a flag, an answer or the config file gives it. */
export type HostLike = string | { host: string; port?: number };

export interface RepeatedHost {
  /** Index of the repeat in the list. */
  index: number;
  /** Index of its first occurrence. */
  first: number;
  host: string;
}

/** The same address (case-insensitive) on the same SSH port: a port left out is the default's. */
function machine(entry: HostLike, defaultPort: number | undefined): string {
  return typeof entry === 'string'
    ? `${entry.toLowerCase()}:${defaultPort ?? ''}`
    : `${entry.host.toLowerCase()}:${entry.port ?? defaultPort ?? ''}`;
}

/** The repeats in a list of hosts; `defaultPort` is the port of an entry that names none (ssh.port). */
export function repeatedHosts(entries: readonly HostLike[], defaultPort?: number): RepeatedHost[] {
  const seen = new Map<string, number>();
  const repeats: RepeatedHost[] = [];
  entries.forEach((entry, index) => {
    const key = machine(entry, defaultPort);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else repeats.push({ index, first, host: typeof entry === 'string' ? entry : entry.host });
  });
  return repeats;
}

/** `svc-02 is given twice` for an answer or a flag (which have no key path). */
export function repeatedHostsProblem(entries: readonly HostLike[], defaultPort?: number): string | null {
  const hosts = [...new Set(repeatedHosts(entries, defaultPort).map((r) => r.host))];
  if (hosts.length === 0) return null;
  return `${hosts.join(', ')} ${hosts.length === 1 ? 'is' : 'are'} given twice (one machine is one target)`;
}
