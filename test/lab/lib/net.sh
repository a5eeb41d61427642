# Lab network: bridge hplab0 in the root namespace, one namespace per host with a veth on it,
# and a point-to-point link bastion-01 <-> inner-01 on 10.214.0.0/24 that the root namespace has
# no route to. Hosts get no default route: nothing in the lab can reach beyond the lab.

netns_of() { echo "$NETNS_PREFIX$1"; }

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$BRIDGE_ADDR/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # inner-01's subnet must fail fast from here ("No route to host"), never leak via the default route.
  ip route replace unreachable "$INNER_SUBNET"
  # With br_netfilter loaded, bridged frames cross the root FORWARD chain, whose policy a host
  # Docker sets to DROP: accept lab-internal traffic explicitly (removed by `down`).
  iptables -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment hplab -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD 1 -i "$BRIDGE" -o "$BRIDGE" -m comment --comment hplab -j ACCEPT
}

bridge_down() {
  while iptables -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment hplab -j ACCEPT 2>/dev/null; do :; done
  if ip route show type unreachable | grep "^unreachable $INNER_SUBNET" >/dev/null; then ip route del unreachable "$INNER_SUBNET"; fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip link del "$BRIDGE"; fi
}

# netns_up NAME TIER ADDRESS: namespace, loopback, and its link (bridge, or behind the bastion).
netns_up() {
  local name=$1 tier=$2 addr=$3 ns
  ns=$(netns_of "$name")
  [ -e "/run/netns/$ns" ] || ip netns add "$ns"
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
    ip link show "hl-$name" >/dev/null 2>&1 || ip link add "hl-$name" type veth peer name eth0 netns "$ns"
    ip link set "hl-$name" master "$BRIDGE" up
  fi
  ip -n "$ns" addr replace "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
}

netns_down() {
  local ns
  ns=$(netns_of "$1")
  if [ -e "/run/netns/$ns" ]; then ip netns del "$ns"; fi
  if ip link show "hl-$1" >/dev/null 2>&1; then ip link del "hl-$1"; fi
}

# listening NAME PORT: something listens on PORT inside the host's namespace.
listening() {
  nsenter --net="/run/netns/$(netns_of "$1")" ss -Hltn "sport = :$2" | grep LISTEN >/dev/null
}
