// When the Docker socket cannot be opened through SSH, sshd only says "open failed". One remote
// shell probe tells the cases apart (no Docker, daemon down, permission, forwarding refused) so the
// operator gets the real cause; parsing and wording are pure and unit-tested.

import { HealError } from '../core/errors.js';

// $1 is the socket path. Listening sockets are read from /proc/net/unix (flag __SO_ACCEPTCON), which
// works without any Docker tooling and sees only the host's own network namespace.
export const DOCKER_PROBE_SCRIPT = `s=$1
c=$(readlink -f -- "$s" 2>/dev/null)
if [ -S "$s" ]; then echo socket=yes; elif [ -e "$s" ]; then echo socket=other; else echo socket=no; fi
if [ -r "$s" ] && [ -w "$s" ]; then echo access=yes; else echo access=no; fi
echo "stat=$(stat -L -c '%U:%G:%a' -- "$s" 2>/dev/null)"
echo "user=$(id -un)"
echo "groups=$(id -nG)"
if command -v sudo >/dev/null 2>&1; then if sudo -n true 2>/dev/null; then echo sudo=yes; else echo sudo=password; fi; else echo sudo=missing; fi
getent group docker >/dev/null 2>&1 && echo dockergroup=yes
for b in dockerd /usr/bin/dockerd /usr/sbin/dockerd /usr/local/bin/dockerd; do
  if command -v "$b" >/dev/null 2>&1; then echo installed=yes; break; fi
done
if [ -r /proc/net/unix ]; then
  echo procnet=yes
  while read -r _ _ _ flags _ _ _ path; do
    [ "$flags" = 00010000 ] || continue
    case "$path" in /var/run/*) alt="/run/\${path#/var/run/}" ;; *) alt=$path ;; esac
    if [ "$path" = "$s" ] || [ "$path" = "$c" ] || [ "$alt" = "$c" ]; then echo listening=yes; break; fi
  done < /proc/net/unix
fi
`;

export interface DockerProbe {
  socket: 'yes' | 'no' | 'other';
  access: boolean;
  /** `owner:group:mode` of the socket, when stat could read it. */
  stat: string;
  user: string;
  groups: string[];
  sudo: 'yes' | 'password' | 'missing';
  dockerGroupExists: boolean;
  installed: boolean;
  /** null when /proc/net/unix could not be read, so listening state is unknown. */
  listening: boolean | null;
}

/** null when the probe did not run (no output), so nothing can be concluded. */
export function parseDockerProbe(stdout: string): DockerProbe | null {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const socket = values.get('socket');
  if (socket === undefined) return null;
  const sudo = values.get('sudo');
  return {
    socket: socket === 'yes' || socket === 'other' ? socket : 'no',
    access: values.get('access') === 'yes',
    stat: values.get('stat') ?? '',
    user: values.get('user') ?? '?',
    groups: (values.get('groups') ?? '').split(/\s+/).filter(Boolean),
    sudo: sudo === 'yes' || sudo === 'password' ? sudo : 'missing',
    dockerGroupExists: values.get('dockergroup') === 'yes',
    installed: values.get('installed') === 'yes',
    listening: values.get('procnet') === 'yes' ? values.get('listening') === 'yes' : null,
  };
}

export function dockerFailure(probe: DockerProbe | null, host: string, socketPath: string): HealError {
  if (probe === null) return unexplained(host, socketPath);
  if (probe.socket === 'no') {
    return probe.installed
      ? new HealError({
          code: 'docker.not-running',
          message: `Docker engine on ${host} is not running (no socket at ${socketPath})`,
          hint:
            `Start it (systemctl start docker; see journalctl -u docker), or set dockerSocket if it ` +
            `listens elsewhere`,
        })
      : new HealError({
          code: 'docker.missing',
          message: `Docker is not installed on ${host} (no dockerd and no socket at ${socketPath})`,
          hint: 'Install Docker Engine on the host (e.g. apt-get install docker.io) and start it',
        });
  }
  if (probe.socket === 'other') {
    return new HealError({
      code: 'docker.socket-invalid',
      message: `${socketPath} on ${host} exists but is not a socket`,
      hint: 'Point dockerSocket at the engine socket (usually /var/run/docker.sock)',
    });
  }
  if (!probe.access) return permissionFailure(probe, host, socketPath);
  if (probe.listening === true) {
    return new HealError({
      code: 'docker.forwarding-refused',
      message:
        `sshd on ${host} refuses to forward the Docker socket ${socketPath} (stream-local forwarding ` + `is disabled)`,
      hint:
        'Allow it for this user: AllowStreamLocalForwarding yes and no DisableForwarding in sshd_config, ' +
        'no "restrict" or "no-port-forwarding" on the key in authorized_keys (sshd logs "refused streamlocal ' +
        'port forward")',
    });
  }
  if (probe.listening === false) {
    return new HealError({
      code: 'docker.not-running',
      message: `Docker engine on ${host} is not running (stale socket ${socketPath}, nothing listens on it)`,
      hint: 'Start it (systemctl start docker; see journalctl -u docker for why it stopped)',
    });
  }
  return unexplained(host, socketPath);
}

function unexplained(host: string, socketPath: string): HealError {
  return new HealError({
    code: 'docker.unreachable',
    message: `Cannot open the Docker socket ${socketPath} on ${host} through SSH`,
    hint:
      'Either dockerd is not running (systemctl status docker) or sshd refuses stream-local forwarding ' +
      '(AllowStreamLocalForwarding, "restrict" on the key)',
  });
}

function permissionFailure(probe: DockerProbe, host: string, socketPath: string): HealError {
  const [owner, group, mode] = probe.stat.split(':');
  const inGroup = group !== undefined && probe.groups.includes(group);
  const what = probe.stat ? ` (owner ${owner}:${group}, mode ${mode})` : '';
  const why = group && !inGroup ? `; ${probe.user} is not in group ${group}` : '';
  const rootEquivalent = 'the docker group is root-equivalent: its members control the whole host';
  const hint = inGroup
    ? `${probe.user} is in group ${group} but the socket mode ${mode} does not admit the group; fix the ` +
      `socket permissions (e.g. SocketMode=0660 in docker.socket)`
    : probe.sudo === 'yes'
      ? `${probe.user} has passwordless sudo: add it with \`sudo usermod -aG ${group || 'docker'} ` +
        `${probe.user}\` and reconnect (${rootEquivalent}), or connect as root`
      : `Ask an administrator to add ${probe.user} to group ${group || 'docker'} (${rootEquivalent}), or ` +
        `connect as root`;
  return new HealError({
    code: 'docker.permission',
    message: `User ${probe.user} on ${host} may not use the Docker socket ${socketPath}${what}${why}`,
    hint,
  });
}
