# Lab hosts: the host list, and each host's anchor process, which holds its own mount and UTS
# namespaces (per-host /run, /opt, /etc/environment, /etc/hostname, /etc/hosts) for sshd and dockerd.

# lab_hosts: "NAME TIER ADDRESS" per host; LAB_TARGETS=N adds target-02 .. target-(N+1).
# Validated once in the main shell (check_lab_targets): lab_hosts mostly runs in pipes, where a
# `die` would only end the subshell.
check_lab_targets() {
  [[ ${LAB_TARGETS:-0} =~ ^[0-9]+$ ]] && [ "${LAB_TARGETS:-0}" -le "$MAX_EXTRA_TARGETS" ] ||
    die "LAB_TARGETS must be a number of extra targets from 0 to $MAX_EXTRA_TARGETS, got '${LAB_TARGETS-}'"
}
lab_hosts() {
  local extra=${LAB_TARGETS:-0} i
  echo "bastion-01 bastion $SUBNET_PREFIX.5"
  echo "inner-01 inner $INNER_ADDR"
  echo "web-01 web $SUBNET_PREFIX.11"
  echo "app-01 app $SUBNET_PREFIX.12"
  echo "db-01 db $SUBNET_PREFIX.13"
  for ((i = 1; i <= extra + 1; i++)); do printf 'target-%02d target %s.%d\n' "$i" "$SUBNET_PREFIX" $((100 + i)); done
}
# each_host FN: `FN NAME TIER ADDRESS` for every lab host, LAB_PARALLEL at a time (100 targets come
# up in seconds, not minutes); dies when any failed (each prints its own cause). Not called after
# `||`: that would switch `set -e` off inside the jobs.
each_host() {
  local fn=$1 name tier addr failed=0
  local -a running=()
  while read -r name tier addr; do
    "$fn" "$name" "$tier" "$addr" &
    running+=($!)
    if [ ${#running[@]} -ge "$LAB_PARALLEL" ]; then
      wait "${running[0]}" || failed=1
      running=("${running[@]:1}")
    fi
  done < <(lab_hosts)
  for name in "${running[@]}"; do wait "$name" || failed=1; done
  [ $failed = 0 ] || die "$fn failed on some host (see messages above)"
}

# each_named FN NAME...: `FN NAME` for each name, LAB_PARALLEL at a time; dies when any failed.
each_named() {
  local fn=$1 name failed=0
  shift
  local -a running=()
  for name in "$@"; do
    "$fn" "$name" &
    running+=($!)
    if [ ${#running[@]} -ge "$LAB_PARALLEL" ]; then
      wait "${running[0]}" || failed=1
      running=("${running[@]:1}")
    fi
  done
  for name in "${running[@]}"; do wait "$name" || failed=1; done
  [ $failed = 0 ] || die "$fn failed on some host (see messages above)"
}

# host_start / host_wait NAME TIER: a host's namespaces, faults undone, sshd and engine started; then ready.
host_start() {
  anchor_up "$1"
  anchor_wait "$1"
  faults_clear "$1"
  sshd_up "$1"
  if has_engine "$2"; then engine_up "$1"; fi
}
host_wait() {
  sshd_wait "$1"
  if has_engine "$2"; then engine_wait "$1"; fi
}

host_line() { lab_hosts | awk -v n="$1" '$1 == n' | grep . || die "no lab host named '$1' (see: lab.sh status)"; }
host_addr() { host_line "$1" | awk '{print $3}'; }
has_engine() { case $1 in web | app | db | inner) return 0 ;; *) return 1 ;; esac; }
host_dir() { echo "$STATE_DIR/hosts/$1"; }
# Hosts that exist now (a scale run may have left more than the current LAB_TARGETS asks for).
existing_hosts() { [ -d "$STATE_DIR/hosts" ] && ls "$STATE_DIR/hosts" || true; }

anchor_pid() { read_pid "$(host_dir "$1")/anchor.pid"; }
anchor_alive() { pid_alive "$(anchor_pid "$1")" sleep; }

# in_host NAME CMD...: run CMD in the host's network, mount and UTS namespaces.
in_host() {
  local pid
  pid=$(anchor_pid "$1"); shift
  nsenter --target "$pid" --net --mount --uts -- "$@"
}

# Per-host files bind-mounted over the shared /etc ones; rewritten in place (same inode) so a
# live bind mount sees the change. `fault prod` writes a production marker into them.
host_identity() { # NAME HOSTNAME ENV_LINES
  local dir
  dir=$(host_dir "$1")
  mkdir -p "$dir/etc"
  printf '%s\n' "$2" >"$dir/etc/hostname"
  printf '%s' "$3" >"$dir/etc/environment"
  {
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
    lab_hosts | awk '{printf "%s\t%s\n", $3, $1}'
    # Registries other than Docker Hub by their real names (lib/registry.sh); inner-01 has no route
    # to the bridge and reaches them through bastion-01's relay.
    printf '%s\t%s\n' "$(registry_addr_for "$1" quay.io)" quay.io
  } >"$dir/etc/hosts"
  if anchor_alive "$1"; then in_host "$1" hostname "$2"; fi
}

anchor_up() {
  local name=$1 dir
  dir=$(host_dir "$name")
  if anchor_alive "$name"; then return 0; fi
  # A dead anchor means the host's namespaces are gone: stop what still runs in the old ones.
  host_daemons_down "$name"
  mkdir -p "$dir/run" "$dir/logs" "$dir/opt"
  [ -e /etc/environment ] || : >/etc/environment
  host_identity "$name" "$name" ""
  rm -f "$dir/anchor.ready"
  spawn "$dir/anchor.pid" "$dir/logs/anchor.log" nsenter --net="/run/netns/$(netns_of "$name")" \
    unshare --mount --uts --propagation private bash "$LAB_DIR/host-init.sh" "$name" "$dir"
}

anchor_wait() {
  local dir
  dir=$(host_dir "$1")
  wait_for 15 "$1's namespaces (see $dir/logs/anchor.log)" test -e "$dir/anchor.ready" ||
    die "$1 did not start: $(tail -3 "$dir/logs/anchor.log" 2>/dev/null)"
  wait_for 5 "$1's anchor" anchor_alive "$1"
}

host_daemons_down() {
  local dir f
  dir=$(host_dir "$1")
  for f in "$dir"/faults/*.pid; do [ -e "$f" ] && stop_pidfile "$f" busybox 5; done
  engine_down "$1"
  stop_pidfile "$dir/sshd.pid" sshd 10
  for f in "$dir"/relay*.pid; do [ -e "$f" ] && stop_pidfile "$f" busybox 5; done
  return 0
}

host_down() {
  host_daemons_down "$1"
  stop_pidfile "$(host_dir "$1")/anchor.pid" sleep 5
  # Anything else still in the host's namespace was started inside the lab (e.g. an ssh session's
  # leftovers or a containerd shim): it must not outlive the lab.
  local ns pid
  ns=$(netns_of "$1")
  if [ -e "/run/netns/$ns" ]; then
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      log "stopping leftover process $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) in $ns"
      kill -TERM "$pid" 2>/dev/null || true
    done
    wait_for 10 "processes in $ns to exit" test -z "$(ip netns pids "$ns" 2>/dev/null)" ||
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  netns_down "$1"
  rm -rf "$(host_dir "$1")"
}

# What a fresh machine would not have: every file written under the host's own /opt.
host_opt_clean() {
  local dir
  dir=$(host_dir "$1")
  [ -d "$dir/opt" ] && find "$dir/opt" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  # A lock left by a killed install/uninstall would refuse the next test's run.
  rm -rf "$dir/run/heal-pyroscope.lock"
  host_flows_clean "$1"
  return 0
}

# The flow rules an install set (chain HEAL-PYROSCOPE, jumped to from DOCKER-USER): a reset host
# answers on its published ports from anywhere again, as before any install.
host_flows_clean() {
  local ns
  ns=/run/netns/$(netns_of "$1")
  [ -e "$ns" ] || return 0
  while nsenter --net="$ns" iptables -D DOCKER-USER -j HEAL-PYROSCOPE 2>/dev/null; do :; done
  if nsenter --net="$ns" iptables -n -L HEAL-PYROSCOPE >/dev/null 2>&1; then
    nsenter --net="$ns" iptables -F HEAL-PYROSCOPE && nsenter --net="$ns" iptables -X HEAL-PYROSCOPE
  fi
  return 0
}
