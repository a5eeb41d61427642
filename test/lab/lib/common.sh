# Shared settings and small helpers for lab.sh. Sourced, never run.
# Why bash: the lab is namespaces, veths, iptables and daemons; bash drives those tools directly.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
# Persistent, gitignored: keys, host keys, registry storage, image stamp, published lab.json.
RUN_DIR="$LAB_DIR/.run"
# Volatile per-host state (engine data roots, per-host /run, logs): wiped by `down`. Kept out of the
# checkout so unix socket paths stay short and overlay2 sits on a plain local file system.
STATE_DIR=${LAB_STATE_DIR:-/var/lib/hplab}

BRIDGE=hplab0
BRIDGE_ADDR=10.213.0.1
SUBNET_PREFIX=10.213.0
REGISTRY_ADDR="$BRIDGE_ADDR:5000"
# A second address on the bridge answers as quay.io (port 80, plain HTTP) for the lab hosts, whose own
# /etc/hosts send quay.io there; engines mark quay.io --insecure-registry (see lib/registry.sh).
QUAY_ADDR=10.213.0.2
QUAY_REGISTRY="$QUAY_ADDR:80"
# inner-01 sits behind bastion-01 on a second subnet that the root namespace has no route to.
INNER_BASTION_ADDR=10.214.0.1
INNER_ADDR=10.214.0.2
INNER_SUBNET=10.214.0.0/24
NETNS_PREFIX=hplab-
HEAL_PASSWORD=heal-lab-password
ENCRYPTED_PASSPHRASE=heal-lab-passphrase
# Targets are 10.213.0.101 .. .200; hosts come up LAB_PARALLEL at a time (lib/hosts.sh each_host).
MAX_EXTRA_TARGETS=99
LAB_PARALLEL=${LAB_PARALLEL:-32}

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# Fail early, naming the Debian package, when a tool is missing (CI installs them fresh).
require_tools() {
  local missing=() pair tool pkg
  for pair in ip:iproute2 nsenter:util-linux unshare:util-linux flock:util-linux setsid:util-linux \
    dockerd:docker.io docker:docker.io sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client \
    ssh-keyscan:openssh-client docker-registry:docker-registry busybox:busybox-static \
    iptables:iptables haproxy:haproxy node:nodejs useradd:passwd chpasswd:passwd; do
    tool=${pair%%:*} pkg=${pair#*:}
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool (apt-get install $pkg)")
  done
  [ -x /usr/lib/openssh/sftp-server ] || missing+=("sftp-server (apt-get install openssh-sftp-server)")
  if [ ${#missing[@]} -gt 0 ]; then die "missing tools: ${missing[*]}"; fi
  # Not `grep -q`: it exits at the first match, and under pipefail the writer's SIGPIPE fails the test.
  busybox --list | grep -x nc >/dev/null || die "busybox lacks nc: install busybox-static (not the slim busybox)"
  [ "$(id -u)" = 0 ] || die "the lab needs root (namespaces, bridge, dockerd): run it as root"
  [ "$(uname -s)" = Linux ] || die "the lab needs Linux"
}

# wait_for SECONDS WHAT CMD...: poll CMD every 0.1 s; die naming WHAT on timeout.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out after ${timeout}s waiting for $what"; return 1; }
    sleep 0.1
  done
}

# elapsed_since START [END]: seconds from one $EPOCHREALTIME to another (default now), one decimal.
elapsed_since() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.1f", b - a }'; }

# pid_alive PID COMM: true when PID runs (not a zombie) and its command name is COMM, so a
# recycled PID is never mistaken for ours.
pid_alive() {
  local pid=$1 comm=$2 stat
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

pid_gone() { ! pid_alive "$1" "$2"; }

read_pid() { [ -s "$1" ] && tr -dc 0-9 <"$1" || true; }

# stop_pidfile PIDFILE COMM [TIMEOUT]: TERM the recorded process, wait, KILL if it lingers.
stop_pidfile() {
  local file=$1 comm=$2 timeout=${3:-15} pid
  pid=$(read_pid "$file")
  if pid_alive "$pid" "$comm"; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_for "$timeout" "$comm ($pid) to exit" pid_gone "$pid" "$comm"; then
      log "killing $comm ($pid) with SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_for 5 "$comm ($pid) to die" pid_gone "$pid" "$comm" || true
    fi
  fi
  rm -f "$file"
}

# The ledger: one line per thing `up` creates (bridge, route, FORWARD rule, netns, veth, process),
# appended *before* it is created, so that `down` can undo a run that was killed half-way even when
# the per-host state dirs are incomplete. `down` replays it backwards and deletes it.
LEDGER="$STATE_DIR/ledger"
ledger() { mkdir -p "$STATE_DIR" && printf '%s\n' "$*" >>"$LEDGER"; }

# spawn PIDFILE LOGFILE CMD...: start CMD detached (own session, re-parented to init so it is
# never a zombie of ours), its output in LOGFILE; PIDFILE gets its PID (exec keeps the PID).
# The child first notes itself in the ledger ("pid PID STARTTIME PIDFILE": the start time tells our
# process from a later one with a recycled PID), so a kill of `up` at any point leaves no orphan
# unrecorded. It closes every inherited descriptor above 2: a daemon holding the caller's lock file
# (flock(1) passes its fd on) or a pipe would block the next lab run or the test runner for good.
spawn() {
  local pidfile=$1 logfile=$2; shift 2
  rm -f "$pidfile"
  mkdir -p "$STATE_DIR"
  # shellcheck disable=SC2016
  HPLAB_LEDGER=$LEDGER setsid -f bash -c '
    for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-" 2>/dev/null || true; done
    read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ start _ </proc/$$/stat
    echo "pid $$ $start $0" >>"$HPLAB_LEDGER"
    echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
    </dev/null >>"$logfile" 2>&1
  wait_for 5 "pid file $pidfile" test -s "$pidfile"
}

# pid_started PID START: PID runs and started at START (field 22 of /proc/PID/stat), not a zombie.
pid_started() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # After "comm) ": field 3 (state) is word 0, so field 22 (start time) is word 19.
  read -r -a fields <<<"${stat##*) }"
  [ "${fields[0]}" != Z ] && [ "${fields[19]}" = "$2" ]
}

# Serialise lab.sh runs (a developer's `lab up` and a test run's requireLab may race).
take_lock() {
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lab.lock"
  flock -w 600 9 || die "another lab.sh holds $RUN_DIR/lab.lock for 10 minutes"
}

json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
