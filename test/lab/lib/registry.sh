# The lab registry (Debian docker-registry) on the bridge address: every engine's Docker Hub mirror.
# Its storage lives under test/lab/.run/registry so images survive `down` (warm `up` is fast).

registry_ok() { timeout 3 busybox wget -q -O /dev/null "http://$REGISTRY_ADDR/v2/" 2>/dev/null; }

registry_up() {
  pid_alive "$(read_pid "$STATE_DIR/registry.pid")" docker-registry && return 0
  mkdir -p "$RUN_DIR/registry"
  cat >"$STATE_DIR/registry.yml" <<CONF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $RUN_DIR/registry }
  delete: { enabled: true }
http: { addr: "$REGISTRY_ADDR" }
CONF
  spawn "$STATE_DIR/registry.pid" "$STATE_DIR/registry.log" docker-registry serve "$STATE_DIR/registry.yml"
  wait_for 15 "the registry on $REGISTRY_ADDR (see $STATE_DIR/registry.log)" registry_ok ||
    die "registry did not start: $(tail -3 "$STATE_DIR/registry.log")"
}

registry_down() { stop_pidfile "$STATE_DIR/registry.pid" docker-registry 10; }

# bastion-01 relays 10.214.0.1:5000 to the registry so inner-01 can pull with no route out.
relay_up() {
  local dir
  dir=$(host_dir bastion-01)
  pid_alive "$(read_pid "$dir/relay.pid")" busybox && return 0
  spawn "$dir/relay.pid" "$dir/logs/relay.log" nsenter --target "$(anchor_pid bastion-01)" --net --mount --uts -- \
    env HPLAB_RELAY_TO="$BRIDGE_ADDR" busybox nc -ll -p 5000 "$INNER_BASTION_ADDR" -e "$LAB_DIR/relay.sh"
}
