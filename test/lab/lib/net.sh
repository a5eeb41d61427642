# Lab network: bridge hplab0 in the root namespace, one namespace per host with a veth on it,
# and a point-to-point link bastion-01 <-> inner-01 on 10.214.0.0/24 that the root namespace has
# no route to. Hosts get no default route: nothing in the lab can reach beyond the lab.

netns_of() { echo "$NETNS_PREFIX$1"; }

FORWARD_RULE="FORWARD -i $BRIDGE -o $BRIDGE -m comment --comment hplab -j ACCEPT"

# Each creation is noted in the ledger first (lib/common.sh), so `down` undoes a half-done `up`.
bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || { ledger bridge "$BRIDGE"; ip link add "$BRIDGE" type bridge; }
  ip addr replace "$BRIDGE_ADDR/24" dev "$BRIDGE"
  # The quay.io registry's own address (lib/registry.sh).
  ip addr replace "$QUAY_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # inner-01's subnet must fail fast from here ("No route to host"), never leak via the default route.
  unreachable_route_present || ledger route unreachable "$INNER_SUBNET"
  ip route replace unreachable "$INNER_SUBNET"
  # With br_netfilter loaded, bridged frames cross the root FORWARD chain, whose policy a host
  # Docker sets to DROP: accept lab-internal traffic explicitly (removed by `down`).
  # shellcheck disable=SC2086
  iptables -C $FORWARD_RULE 2>/dev/null || { ledger iptables $FORWARD_RULE; iptables -I ${FORWARD_RULE/FORWARD/FORWARD 1}; }
}

unreachable_route_present() { ip route show type unreachable | grep "^unreachable $INNER_SUBNET" >/dev/null; }

# Tolerant of anything already gone: `down` also runs after an `up` killed half-way.
bridge_down() {
  # shellcheck disable=SC2086
  while iptables -D $FORWARD_RULE 2>/dev/null; do :; done
  if unreachable_route_present; then ip route del unreachable "$INNER_SUBNET" 2>/dev/null || true; fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE" 2>/dev/null || true; fi
}

# netns_up NAME TIER ADDRESS: namespace, loopback, and its link (bridge, or behind the bastion).
netns_up() {
  local name=$1 tier=$2 addr=$3 ns
  ns=$(netns_of "$name")
  [ -e "/run/netns/$ns" ] || { ledger netns "$ns"; ip netns add "$ns"; }
  ip -n "$ns" link set lo up
  # The bastion must not route between its two links (engines turn forwarding on for containers).
  if [ "$tier" = bastion ]; then nsenter --net="/run/netns/$ns" sysctl -qw net.ipv4.ip_forward=0; fi
  if [ "$tier" = inner ]; then
    local bastion_ns
    bastion_ns=$(netns_of bastion-01)
    ip -n "$bastion_ns" link show eth1 >/dev/null 2>&1 ||
      ip -n "$bastion_ns" link add eth1 type veth peer name eth0 netns "$ns"
    ip -n "$bastion_ns" addr replace "$INNER_BASTION_ADDR/24" dev eth1
    ip -n "$bastion_ns" link set eth1 up
  else
    ip link show "hl-$name" >/dev/null 2>&1 || { ledger veth "hl-$name"; ip link add "hl-$name" type veth peer name eth0 netns "$ns"; }
    ip link set "hl-$name" master "$BRIDGE" up
  fi
  # A MAC made from the address: a host brought down and up again (LAB_TARGETS shrinking, then
  # growing) answers on the MAC every other namespace still has cached for its address, so no
  # neighbour entry goes stale (stale ones cost the next connections to it seconds or a timeout).
  ip -n "$ns" link set eth0 address "$(lab_mac "$addr")"
  ip -n "$ns" addr replace "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
}

# lab_mac ADDRESS: 02:00 (locally administered, unicast) and the address's four octets in hex.
lab_mac() {
  local IFS=.
  # shellcheck disable=SC2086 # the split on dots is the point
  set -- $1
  printf '02:00:%02x:%02x:%02x:%02x' "$1" "$2" "$3" "$4"
}

# The veth goes first and by name: deleting a namespace frees its end of the pair asynchronously,
# so a `show` then `del` after `ip netns del` raced with the kernel ("Cannot find device").
netns_down() {
  local ns
  ns=$(netns_of "$1")
  veth_down "hl-$1"
  if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || [ ! -e "/run/netns/$ns" ]; fi
}

veth_down() {
  ip link del "$1" 2>/dev/null || true
  wait_for 5 "veth $1 to go" veth_gone "$1" || true
}
veth_gone() { ! ip link show "$1" >/dev/null 2>&1; }

# Every lab veth in the root namespace (hl-NAME), even of hosts no state dir remembers.
lab_veths() { ip -o link show type veth | sed -n 's/^[0-9]*: \(hl-[^@:]*\)[@:].*/\1/p'; }

# listening NAME PORT: something listens on PORT inside the host's namespace.
listening() {
  nsenter --net="/run/netns/$(netns_of "$1")" ss -Hltn "sport = :$2" | grep LISTEN >/dev/null
}
