# The lab's registries (Debian docker-registry), one per real registry the pinned images come from:
# docker.io on the bridge address, port 5000, as every engine's Docker Hub mirror; quay.io on a second
# bridge address, port 80, which the lab hosts' own /etc/hosts call quay.io and their engines trust
# as an --insecure-registry (Docker then falls back to plain HTTP on port 80). The product pulls both
# by their real names and knows nothing of the lab. Storage lives under test/lab/.run so images
# survive `down` (a warm `up` is fast).

# lab_registries: "NAME ADDRESS STORAGE" per registry.
lab_registries() {
  echo "docker.io $REGISTRY_ADDR $RUN_DIR/registry"
  echo "quay.io $QUAY_REGISTRY $RUN_DIR/registry-quay"
}
registry_field() { lab_registries | awk -v n="$1" -v f="$2" '$1 == n {print $f}'; }
registry_address() { registry_field "$1" 2; }
registry_storage() { registry_field "$1" 3; }
# State files: registry.{pid,yml,log} for docker.io (as before quay.io existed), registry-quay.* else.
registry_state() { if [ "$1" = docker.io ]; then echo "$STATE_DIR/registry"; else echo "$STATE_DIR/registry-${1%%.*}"; fi; }

# registry_addr_for HOST REGISTRY: the address HOST's /etc/hosts gives REGISTRY's name.
registry_addr_for() {
  local addr
  addr=$(registry_address "$2")
  if [ "$1" = inner-01 ]; then echo "$INNER_BASTION_ADDR"; else echo "${addr%:*}"; fi
}

registry_ok() { timeout 3 busybox wget -q -O /dev/null "http://$(registry_address "${1:-docker.io}")/v2/" 2>/dev/null; }

registry_config() { # NAME
  cat <<CONF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $(registry_storage "$1") }
  delete: { enabled: true }
http: { addr: "$(registry_address "$1")" }
CONF
}

# registry_up NAME: start it, or restart it when its config changed (another checkout's lab left
# one serving its own storage, or the address moved).
registry_up() {
  local name=$1 state conf
  state=$(registry_state "$name")
  conf=$(registry_config "$name")
  if pid_alive "$(read_pid "$state.pid")" docker-registry && [ "$conf" = "$(cat "$state.yml" 2>/dev/null)" ]; then
    return 0
  fi
  stop_pidfile "$state.pid" docker-registry 10
  mkdir -p "$(registry_storage "$name")"
  printf '%s\n' "$conf" >"$state.yml"
  spawn "$state.pid" "$state.log" docker-registry serve "$state.yml"
  wait_for 15 "the $name registry on $(registry_address "$name") (see $state.log)" registry_ok "$name" ||
    die "the $name registry did not start: $(tail -3 "$state.log")"
}

registries_up() {
  local name addr storage
  while read -r name addr storage; do registry_up "$name"; done < <(lab_registries)
}

registries_down() {
  local name addr storage
  while read -r name addr storage; do stop_pidfile "$(registry_state "$name").pid" docker-registry 10; done < <(lab_registries)
}

# bastion-01 relays 10.214.0.1:5000 to the docker.io registry and 10.214.0.1:80 to the quay.io one,
# so inner-01 can pull both with no route out (its /etc/hosts sends quay.io to the bastion).
relay_up() {
  local dir name addr storage pidfile
  dir=$(host_dir bastion-01)
  while read -r name addr storage; do
    pidfile="$dir/relay.pid"
    [ "$name" = docker.io ] || pidfile="$dir/relay-${name%%.*}.pid"
    pid_alive "$(read_pid "$pidfile")" busybox && continue
    spawn "$pidfile" "$dir/logs/relay.log" nsenter --target "$(anchor_pid bastion-01)" --net --mount --uts -- \
      env HPLAB_RELAY_TO="${addr%:*}" HPLAB_RELAY_PORT="${addr##*:}" busybox nc -ll -p "${addr##*:}" "$INNER_BASTION_ADDR" -e "$LAB_DIR/relay.sh"
  done < <(lab_registries)
}
