# Fault switches: each breaks one thing a preflight check must notice. `up` and `reset` undo them
# all (faults_clear plus the daemons' convergence in lab.sh).

FAULT_CHAIN=HPLAB-FAULT

# Dropped in the destination's raw PREROUTING, before Docker's DNAT: covers the host and its
# published container ports alike. SYNs vanish, so the client sees a timeout, not a refusal.
fault_drop_flow() {
  [ $# -eq 3 ] && [[ $3 =~ ^[0-9]+$ ]] || die "usage: fault drop-flow SOURCE_HOST DEST_HOST PORT"
  local src_addr ns
  src_addr=$(host_addr "$1"); host_line "$2" >/dev/null
  ns=/run/netns/$(netns_of "$2")
  nsenter --net="$ns" iptables -t raw -N "$FAULT_CHAIN" 2>/dev/null || true
  nsenter --net="$ns" iptables -t raw -C PREROUTING -j "$FAULT_CHAIN" 2>/dev/null ||
    nsenter --net="$ns" iptables -t raw -I PREROUTING 1 -j "$FAULT_CHAIN"
  nsenter --net="$ns" iptables -t raw -A "$FAULT_CHAIN" -s "$src_addr" -p tcp --dport "$3" -j DROP
  log "fault: $1 ($src_addr) -> $2:$3 dropped"
}

fault_occupy_port() {
  [ $# -eq 2 ] && [[ $2 =~ ^[0-9]+$ ]] || die "usage: fault occupy-port HOST PORT"
  local dir
  dir=$(host_dir "$1"); host_line "$1" >/dev/null
  ! listening "$1" "$2" || die "port $2 on $1 is already in use"
  mkdir -p "$dir/faults"
  spawn "$dir/faults/port-$2.pid" "$dir/logs/faults.log" nsenter --target "$(anchor_pid "$1")" --net --mount --uts -- \
    busybox nc -ll -p "$2" 0.0.0.0 -e /bin/true
  wait_for 5 "the listener on $1:$2" listening "$1" "$2"
  log "fault: port $2 on $1 occupied by pid $(read_pid "$dir/faults/port-$2.pid")"
}

fault_stop_docker() {
  [ $# -eq 1 ] || die "usage: fault stop-docker HOST"
  has_engine "$(host_line "$1" | awk '{print $2}')" || die "$1 has no Docker engine"
  stop_pidfile "$(host_dir "$1")/dockerd.pid" dockerd 30
  log "fault: Docker engine on $1 stopped"
}

# SIGKILL, no clean shutdown: nothing stops the containers first (engine_down does), as when an
# engine crashes or is OOM-killed; the containers' processes outlive it. The pid file stays, naming
# a dead process, so `up` (and `reset`) start the engine again, which finds what a crash leaves.
fault_kill_docker() {
  [ $# -eq 1 ] || die "usage: fault kill-docker HOST"
  has_engine "$(host_line "$1" | awk '{print $2}')" || die "$1 has no Docker engine"
  local pid child dir
  dir=$(host_dir "$1")
  pid=$(read_pid "$dir/dockerd.pid")
  pid_alive "$pid" dockerd || die "the Docker engine on $1 is not running"
  child=$(pgrep -P "$pid" -x containerd || true)
  # Its docker-proxy processes outlive it, holding the published ports, until `up` ends them (as
  # systemd ends what is left in a crashed unit's cgroup before starting it again).
  mkdir -p "$dir/faults"
  pgrep -P "$pid" -x docker-proxy >"$dir/faults/kill-docker.proxies" || true
  kill -KILL "$pid"
  wait_for 5 "dockerd ($pid) on $1 to die" pid_gone "$pid" dockerd || die "dockerd ($pid) on $1 survived SIGKILL"
  # Its containerd follows (parent-death signal). Its pid file would still name it, and an unreaped
  # zombie (nothing reaps orphans in a container without an init) answers kill -0: the next engine
  # would wait for that containerd instead of starting its own.
  [ -z "$child" ] || wait_for 10 "containerd ($child) on $1 to die" pid_gone "$child" containerd || die "containerd ($child) on $1 outlived its engine"
  rm -f "$(host_dir "$1")/run/docker/containerd/containerd.pid"
  log "fault: Docker engine on $1 killed (SIGKILL, pid $pid)"
}

fault_stop_ssh() {
  [ $# -eq 1 ] || die "usage: fault stop-ssh HOST"
  host_line "$1" >/dev/null
  stop_pidfile "$(host_dir "$1")/sshd.pid" sshd 10
  log "fault: sshd on $1 stopped"
}

fault_prod() {
  [ $# -eq 1 ] || die "usage: fault prod HOST"
  host_line "$1" >/dev/null
  host_identity "$1" "prod-$1" $'HEAL_ENV=production\n'
  log "fault: $1 now looks like production (hostname prod-$1, HEAL_ENV=production)"
}

fault_rotate_key() {
  [ $# -eq 1 ] || die "usage: fault rotate-key HOST"
  host_line "$1" >/dev/null
  local key
  key="$(dirname "$(hostkey_of "$1")")/rotated_ed25519_key"
  rm -f "$key" "$key.pub"
  ssh-keygen -q -t ed25519 -N '' -C "$1-rotated" -f "$key"
  sshd_up "$1" "$key"
  sshd_wait "$1"
  log "fault: $1 host key rotated (known_hosts still holds the old one)"
}

# The registry's replies to HOST are shaped on the bridge side of HOST's veth (only source port
# 5000, so SSH stays fast): pulls on HOST take seconds, long enough to interrupt one mid-way.
SLOW_REGISTRY_RATE=${SLOW_REGISTRY_RATE:-1mbit}
fault_slow_registry() {
  [ $# -eq 1 ] || die "usage: fault slow-registry HOST"
  local dev="hl-$1" port=${REGISTRY_ADDR##*:}
  host_line "$1" >/dev/null
  ip link show "$dev" >/dev/null 2>&1 || die "$1 has no veth on the lab bridge"
  # htb, not prio+tbf: this kernel may lack sch_prio. Unclassified traffic takes the fast class.
  tc qdisc del dev "$dev" root 2>/dev/null || true
  tc qdisc add dev "$dev" root handle 1: htb default 10 r2q 100000
  tc class add dev "$dev" parent 1: classid 1:10 htb rate 10gbit
  tc class add dev "$dev" parent 1: classid 1:30 htb rate "$SLOW_REGISTRY_RATE" ceil "$SLOW_REGISTRY_RATE"
  tc filter add dev "$dev" parent 1: protocol ip prio 1 u32 match ip sport "$port" 0xffff flowid 1:30
  log "fault: registry replies to $1 limited to $SLOW_REGISTRY_RATE"
}

# x86-64-v2 flags: without them the amd64 builds of MinIO (UBI9) and Pyroscope (goamd64 v2) die at
# start. The host's own mount namespace gets a /proc/cpuinfo without them (bind mount, private
# propagation: the machine and the other hosts keep the real file); ssh sessions see it too.
CPU_V2_FLAGS="sse4_2 popcnt ssse3 cx16"
fault_cpu_v1() {
  [ $# -eq 1 ] || die "usage: fault cpu-v1 HOST"
  host_line "$1" >/dev/null
  local file
  file="$(host_dir "$1")/faults/cpuinfo"
  mkdir -p "${file%/*}"
  cpuinfo_faked "$1" && in_host "$1" umount /proc/cpuinfo
  awk -v drop="$CPU_V2_FLAGS" '
    BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) gone[d[i]] = 1 }
    /^flags[ \t]*:/ {
      c = index($0, ":"); out = substr($0, 1, c); m = split(substr($0, c + 1), w, " ")
      for (j = 1; j <= m; j++) if (!(w[j] in gone)) out = out " " w[j]
      print out; next
    }
    { print }' /proc/cpuinfo >"$file"
  in_host "$1" mount --bind -o ro "$file" /proc/cpuinfo
  log "fault: $1's /proc/cpuinfo lacks $CPU_V2_FLAGS (an x86-64-v1 CPU)"
}
# The engine is restarted with the label (engine_args reads faults/labels); `up` and `reset` drop
# the file and engine_up restarts the engine without it, since its flags changed.
fault_label() {
  [ $# -eq 2 ] && [[ $2 == ?*=* ]] || die "usage: fault label HOST KEY=VALUE"
  has_engine "$(host_line "$1" | awk '{print $2}')" || die "$1 has no Docker engine"
  local dir
  dir=$(host_dir "$1")
  mkdir -p "$dir/faults"
  printf '%s\n' "$2" >>"$dir/faults/labels"
  engine_up "$1"
  engine_wait "$1"
  log "fault: $1's Docker engine now carries the label $2"
}
fault_engine_labels() { [ -e "$(host_dir "$1")/faults/labels" ] && sed 's/^/--label\n/' "$(host_dir "$1")/faults/labels"; return 0; }

# A tiny full tmpfs over PATH in HOST's own mount namespace (private propagation: the machine and
# other hosts keep theirs): writes there fail with ENOSPC, `df PATH` shows it full; what PATH held
# is hidden, not touched, until `up` or `reset` unmounts it.
DISK_FULL_SOURCE=hplab-disk-full
fault_disk_full() {
  [ $# -eq 2 ] && [[ $2 == /* ]] || die "usage: fault disk-full HOST ABSOLUTE_PATH"
  host_line "$1" >/dev/null
  in_host "$1" test -d "$2" || die "$2 is not a directory on $1"
  in_host "$1" mount -t tmpfs -o size=64k,mode=755 "$DISK_FULL_SOURCE" "$2"
  in_host "$1" sh -c 'dd if=/dev/zero of="$1/.disk-full" bs=4k 2>/dev/null; true' sh "$2"
  log "fault: $2 on $1 is full"
}
disk_full_mounts() { awk -v s="$DISK_FULL_SOURCE" '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 2) == s) print $5; break } }' "/proc/$(anchor_pid "$1")/mountinfo" 2>/dev/null; }

cpuinfo_faked() { awk '$5 == "/proc/cpuinfo" { f = 1 } END { exit !f }' "/proc/$(anchor_pid "$1")/mountinfo" 2>/dev/null; }

fault_cmd() {
  local kind=${1-}; shift || true
  case "$kind" in
    drop-flow) fault_drop_flow "$@" ;;
    occupy-port) fault_occupy_port "$@" ;;
    stop-docker) fault_stop_docker "$@" ;;
    kill-docker) fault_kill_docker "$@" ;;
    stop-ssh) fault_stop_ssh "$@" ;;
    prod) fault_prod "$@" ;;
    rotate-key) fault_rotate_key "$@" ;;
    slow-registry) fault_slow_registry "$@" ;;
    cpu-v1) fault_cpu_v1 "$@" ;;
    label) fault_label "$@" ;;
    disk-full) fault_disk_full "$@" ;;
    *) die "unknown fault '$kind': drop-flow SRC DST PORT | occupy-port HOST PORT | stop-docker HOST | kill-docker HOST | stop-ssh HOST | prod HOST | rotate-key HOST | slow-registry HOST | cpu-v1 HOST | label HOST KEY=VALUE | disk-full HOST PATH" ;;
  esac
}

# faults_clear NAME: undo the faults that live outside the daemons (listeners, rules, identity).
faults_clear() {
  local dir f ns
  dir=$(host_dir "$1")
  for f in "$dir"/faults/*.pid; do [ -e "$f" ] && stop_pidfile "$f" busybox 5; done
  if [ -e "$dir/faults/kill-docker.proxies" ]; then
    for f in $(cat "$dir/faults/kill-docker.proxies"); do ! pid_alive "$f" docker-proxy || kill -KILL "$f"; done
    rm -f "$dir/faults/kill-docker.proxies"
  fi
  ns=/run/netns/$(netns_of "$1")
  if nsenter --net="$ns" iptables -t raw -L "$FAULT_CHAIN" -n >/dev/null 2>&1; then
    nsenter --net="$ns" iptables -t raw -F "$FAULT_CHAIN"
  fi
  host_identity "$1" "$1" ""
  ! tc qdisc show dev "hl-$1" 2>/dev/null | grep '^qdisc htb' >/dev/null || tc qdisc del dev "hl-$1" root
  while anchor_alive "$1" && cpuinfo_faked "$1"; do in_host "$1" umount /proc/cpuinfo; done
  rm -f "$dir/faults/cpuinfo" "$dir/faults/labels"
  local mnt
  while anchor_alive "$1" && mnt=$(disk_full_mounts "$1" | sort -r | head -n 1) && [ -n "$mnt" ]; do in_host "$1" umount "$mnt"; done
}

# faults_active NAME: one line per fault in force, for `status`.
faults_active() {
  local dir f ns
  dir=$(host_dir "$1")
  for f in "$dir"/faults/port-*.pid; do [ -e "$f" ] && { f=${f##*/port-}; echo "occupy-port ${f%.pid}"; }; done
  ns=/run/netns/$(netns_of "$1")
  nsenter --net="$ns" iptables -t raw -S "$FAULT_CHAIN" 2>/dev/null | sed -n 's/.*-s \([^ /]*\).*--dport \([0-9]*\).*-j DROP.*/drop-flow from \1 port \2/p'
  [ "$(cat "$dir/etc/hostname" 2>/dev/null)" = "$1" ] || echo "prod"
  grep -q rotated "$dir/sshd_config" 2>/dev/null && echo "rotate-key"
  tc qdisc show dev "hl-$1" 2>/dev/null | grep '^qdisc htb' >/dev/null && echo "slow-registry"
  cpuinfo_faked "$1" && echo "cpu-v1"
  [ -e "$dir/faults/labels" ] && sed 's/^/label /' "$dir/faults/labels"
  disk_full_mounts "$1" | sed 's/^/disk-full /'
  return 0
}
