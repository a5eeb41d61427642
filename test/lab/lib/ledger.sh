# Undoing the ledger (lib/common.sh writes it): what `up` created, noted before creating it, removed
# newest first by `down`. Every step tolerates a thing already gone or never made, so a `down` after
# an `up` killed at any point ends with nothing of the lab left.

# ledger_down: stop recorded processes, then delete recorded links, namespaces, routes and rules.
ledger_down() {
  [ -s "$LEDGER" ] || return 0
  local kind a b c
  while read -r kind a b c; do
    case "$kind" in
      pid) ledger_stop "$a" "$b" ;;
      veth) veth_down "$a" ;;
      netns) ledger_netns_down "$a" ;;
      bridge) ip link del "$a" 2>/dev/null || true ;;
      route) ip route del "$a" "$b" 2>/dev/null || true ;;
      iptables) while iptables -D "$a" $b $c 2>/dev/null; do :; done ;;
      *) log "ledger: skipping unknown entry '$kind $a $b $c'" ;;
    esac
  done < <(tac "$LEDGER" | awk '!seen[$0]++')
  rm -f "$LEDGER"
}

# ledger_stop PID START: TERM the process if it is still the one the ledger noted; KILL if it lingers.
ledger_stop() {
  pid_started "$1" "$2" || return 0
  log "stopping $(cat "/proc/$1/comm" 2>/dev/null) ($1), found in the ledger"
  kill -TERM "$1" 2>/dev/null || true
  if ! wait_for 15 "process $1 to exit" ledger_gone "$1" "$2"; then
    kill -KILL "$1" 2>/dev/null || true
    wait_for 5 "process $1 to die" ledger_gone "$1" "$2" || true
  fi
}
ledger_gone() { ! pid_started "$1" "$2"; }

ledger_netns_down() {
  [ -e "/run/netns/$1" ] || return 0
  local pid
  for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns del "$1" 2>/dev/null || true
}

# ledger_compact: after a successful `up`, keep one line per thing and only the processes still alive.
ledger_compact() {
  [ -s "$LEDGER" ] || return 0
  local kind a b c
  while read -r kind a b c; do
    if [ "$kind" != pid ] || pid_started "$a" "$b"; then echo "$kind $a${b:+ $b}${c:+ $c}"; fi
  done < <(awk '!seen[$0]++' "$LEDGER") >"$LEDGER.tmp"
  mv "$LEDGER.tmp" "$LEDGER"
}
