// What an ssh_config file sets for one host, and the shape of a reader of it: the data that
// ssh-config.ts (the lookup) and both readers (openssh-config.ts, ssh-config-parser.ts) share.

export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  /** As written in the config: `~` and `%` tokens are expanded by resolve-target.ts. */
  identityFiles: string[];
  identitiesOnly: boolean;
  proxyJump?: string;
  proxyCommand?: string;
  certificateFiles: string[];
}

export type SshConfigReader = 'ssh -G' | 'ssh-config parser';

export interface SshConfigSource {
  /** The file to read. */
  file: string;
  /** True for `ssh.configFile` / `--ssh-config` (as `ssh -F`: the system file is not read then). */
  explicit: boolean;
  home: string;
}

export const NOTHING_SET: SshConfigHost = Object.freeze({
  identityFiles: [],
  identitiesOnly: false,
  certificateFiles: [],
}) as SshConfigHost;
export const SYSTEM_CONFIG = '/etc/ssh/ssh_config';

export interface HostReader {
  name: SshConfigReader;
  notes: string[];
  host(alias: string): Promise<SshConfigHost>;
  /** Several hosts at once, in order; a reader may answer them more cheaply than one by one. */
  hosts?(aliases: readonly string[]): Promise<SshConfigHost[]>;
  close(): Promise<void>;
}

/** Builds a host's values from `key value` pairs (lower-case keys, as `ssh -G` prints them). */
export function hostFromPairs(pairs: Iterable<[string, string]>): SshConfigHost {
  const host: SshConfigHost = { identityFiles: [], identitiesOnly: false, certificateFiles: [] };
  for (const [key, value] of pairs) {
    if (key === 'identityfile') host.identityFiles.push(value);
    else if (key === 'certificatefile') host.certificateFiles.push(value);
    else if (key === 'hostname') host.hostName ??= value;
    else if (key === 'user') host.user ??= value;
    else if (key === 'identitiesonly') host.identitiesOnly = value.toLowerCase() === 'yes';
    else if (key === 'proxyjump' && value.toLowerCase() !== 'none') host.proxyJump ??= value;
    else if (key === 'proxycommand' && value.toLowerCase() !== 'none') host.proxyCommand ??= value;
    else if (key === 'port' && host.port === undefined) {
      const port = Number(value);
      if (Number.isInteger(port) && port > 0 && port < 65536) host.port = port;
    }
  }
  return host;
}
