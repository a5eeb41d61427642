#!/usr/bin/env bash
# The heal-pyroscope lab: web/app/db/target hosts (plus a bastion and a host behind it) as network,
# mount and UTS namespaces on one Linux machine, each with a real sshd and, for servers, a real
# dockerd; registries (docker.io, quay.io) with stand-in images under the real names; fault switches.
# Needs root. Usage: lab.sh up|down|status [--quiet]|reset [--images]|fault KIND ARGS|demo-config|exec HOST CMD..
set -euo pipefail
for lib in common ledger net hosts ssh engine registry images faults publish; do
  # shellcheck source=/dev/null
  source "$(dirname "${BASH_SOURCE[0]}")/lib/$lib.sh"
done

# Bring every host to its healthy state: faults undone, sshd with the original key, engine up.
lab_up() {
  local started=$EPOCHREALTIME name tier addr
  mkdir -p "$STATE_DIR/hosts" "$RUN_DIR"
  keys_up
  heal_user_up
  bridge_up
  # A scale run may have left more targets than LAB_TARGETS asks for now.
  local wanted
  local -a removed=()
  wanted=$(lab_hosts | awk '{print $1}')
  for name in $(existing_hosts); do grep -qx "$name" <<<"$wanted" || removed+=("$name"); done
  if [ ${#removed[@]} -gt 0 ]; then
    log "removing ${#removed[@]} host(s) not in this LAB_TARGETS: ${removed[*]}"
    each_named host_down "${removed[@]}"
  fi
  # Hosts come up in parallel (each_host, lib/hosts.sh); inner-01's link needs bastion-01's namespace first.
  netns_up bastion-01 bastion "$SUBNET_PREFIX.5"
  each_host netns_up
  local t_net=$EPOCHREALTIME
  registries_up
  each_host host_start
  local t_start=$EPOCHREALTIME
  relay_up
  each_host host_wait
  local t_wait=$EPOCHREALTIME
  images_up
  known_hosts_write
  ssh_config_write
  lab_json_write
  ledger_compact
  log "lab up in $(elapsed_since "$started")s: $(lab_hosts | wc -l) hosts (namespaces $(elapsed_since "$started" "$t_net")s, daemons started $(elapsed_since "$t_net" "$t_start")s, ready $(elapsed_since "$t_start" "$t_wait")s); state in $RUN_DIR/lab.json"
}

# Nothing of the lab left, even after an `up` killed half-way: the hosts the state dirs and the
# namespace names reveal, then whatever the ledger says `up` created, then leftovers by name.
lab_down() {
  local started=$SECONDS name ns veth
  # shellcheck disable=SC2046
  each_named host_down $(existing_hosts)
  # Namespaces without a state dir (an interrupted run) are ours too: the prefix is the lab's.
  for ns in $(ip netns list | awk '{print $1}' | grep "^$NETNS_PREFIX" || true); do
    host_down "${ns#"$NETNS_PREFIX"}"
  done
  registries_down
  ledger_down
  for veth in $(lab_veths); do veth_down "$veth"; done
  bridge_down
  rm -rf "$STATE_DIR" "$RUN_DIR/lab.json"
  log "lab down in $((SECONDS - started))s"
}

lab_reset() {
  local name tier addr images=""
  [ "${1-}" != --images ] || images=images
  [ -f "$RUN_DIR/lab.json" ] || die "the lab is not up (run: lab.sh up)"
  lab_up
  while read -r name tier addr; do
    if has_engine "$tier"; then engine_clean "$name" $images; fi
    host_opt_clean "$name"
  done < <(lab_hosts)
  log "reset: faults undone, engines and /opt emptied${images:+ (images too)}"
}

# status [--quiet]: exit 0 only when every host's sshd and engine and both registries answer.
lab_status() {
  local quiet=${1-} ok=0 name tier addr sshd engine faults storage
  [ -f "$RUN_DIR/lab.json" ] || { [ "$quiet" = --quiet ] || echo "lab is down"; return 1; }
  while read -r name addr storage; do registry_ok "$name" || ok=1; done < <(lab_registries)
  [ "$quiet" = --quiet ] || printf '%-11s %-8s %-12s %-5s %-7s %s\n' HOST TIER ADDRESS SSHD ENGINE FAULTS
  while read -r name tier addr; do
    sshd=down engine=-
    if anchor_alive "$name" && listening "$name" 22; then sshd=up; else ok=1; fi
    if has_engine "$tier"; then if engine_ok "$name"; then engine=up; else engine=down ok=1; fi; fi
    faults=$(anchor_alive "$name" && faults_active "$name" | paste -sd, -) || faults=""
    [ "$quiet" = --quiet ] || printf '%-11s %-8s %-12s %-5s %-7s %s\n' "$name" "$tier" "$addr" "$sshd" "$engine" "${faults:--}"
  done < <(lab_hosts)
  if [ "$quiet" != --quiet ]; then
    while read -r name addr storage; do
      printf 'registry %-9s %-15s %s\n' "$name" "$addr" "$(registry_ok "$name" && echo up || echo down)"
    done < <(lab_registries)
  fi
  return $ok
}

cmd=${1:-help}; shift || true
check_lab_targets
case "$cmd" in
  up) require_tools; take_lock; lab_up ;;
  down) take_lock; lab_down ;;
  status) lab_status "$@" ;;
  reset) take_lock; lab_reset "$@" ;;
  fault) take_lock; fault_cmd "$@"; lab_json_write ;;
  demo-config) [ -f "$RUN_DIR/lab.json" ] || { require_tools; take_lock; lab_up; }; demo_config_write ;;
  exec) [ $# -ge 2 ] || die "usage: lab.sh exec HOST CMD..."; host_line "$1" >/dev/null; in_host "$@" ;;
  *) sed -n '2,6s/^# \{0,1\}//p' "$0"; [ "$cmd" = help ] ;;
esac
