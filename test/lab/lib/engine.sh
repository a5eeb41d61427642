# One Docker engine per server host (web, app, db, inner), each with its own data root, exec root,
# socket at the host's /run/docker.sock and the lab registry as its Docker Hub mirror.

# inner-01 cannot reach the bridge: it pulls through a relay that bastion-01 runs on 10.214.0.1:5000.
mirror_for() { if [ "$1" = inner-01 ]; then echo "$INNER_BASTION_ADDR:5000"; else echo "$REGISTRY_ADDR"; fi; }
engine_sock() { echo "$(host_dir "$1")/run/docker.sock"; }
engine_ok() { docker -H "unix://$(engine_sock "$1")" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# engine_args NAME: dockerd's flags. quay.io is insecure so that Docker, refused on 443, pulls over
# plain HTTP on port 80 from the lab's quay.io registry (the host's /etc/hosts names it).
engine_args() {
  local dir mirror
  dir=$(host_dir "$1")
  mirror=$(mirror_for "$1")
  printf '%s\n' --host unix:///run/docker.sock --data-root "$dir/docker" --exec-root /run/docker \
    --pidfile /run/docker.pid --config-file "$dir/daemon.json" \
    --registry-mirror "http://$mirror" --insecure-registry "$mirror" --insecure-registry quay.io
  fault_engine_labels "$1"
}

# engine_up NAME: start the engine, or restart it when its flags changed (a lab from an older lab.sh).
engine_up() {
  local name=$1 dir args
  dir=$(host_dir "$name")
  args=$(engine_args "$name")
  if pid_alive "$(read_pid "$dir/dockerd.pid")" dockerd; then
    [ "$args" != "$(cat "$dir/dockerd.args" 2>/dev/null)" ] || return 0
    log "restarting dockerd on $name: its flags changed"
    engine_down "$name"
  fi
  mkdir -p "$dir/docker"
  # Its own (empty) config file: the machine's /etc/docker/daemon.json must not leak in.
  echo '{}' >"$dir/daemon.json"
  rm -f "$dir/run/docker.sock" "$dir/run/docker.pid"
  printf '%s\n' "$args" >"$dir/dockerd.args"
  local -a argv
  mapfile -t argv <<<"$args"
  spawn "$dir/dockerd.pid" "$dir/logs/dockerd.log" nsenter --target "$(anchor_pid "$name")" --net --mount --uts -- \
    dockerd "${argv[@]}"
}

engine_wait() {
  wait_for 40 "dockerd on $1 (see $(host_dir "$1")/logs/dockerd.log)" engine_ok "$1" ||
    die "dockerd on $1 did not start: $(tail -3 "$(host_dir "$1")/logs/dockerd.log" 2>/dev/null)"
}

# engine_clean NAME [images]: remove every container, network and volume (and, asked, image).
engine_clean() {
  local d ids
  d="docker -H unix://$(engine_sock "$1")"
  engine_ok "$1" || return 0
  # `--rm` containers may be removing themselves concurrently: tolerate, then insist.
  ids=$($d ps -aq); [ -z "$ids" ] || $d rm -f -v $ids >/dev/null 2>&1 || true
  wait_for 20 "containers on $1 to be removed" test -z "$($d ps -aq)" || die "could not remove the containers on $1"
  ids=$($d network ls -q --filter type=custom); [ -z "$ids" ] || $d network rm $ids >/dev/null
  ids=$($d volume ls -q); [ -z "$ids" ] || $d volume rm -f $ids >/dev/null
  if [ "${2-}" = images ]; then ids=$($d image ls -aq); [ -z "$ids" ] || $d rmi -f $ids >/dev/null; fi
}

engine_down() {
  local dir
  dir=$(host_dir "$1")
  pid_alive "$(read_pid "$dir/dockerd.pid")" dockerd || { rm -f "$dir/dockerd.pid"; return 0; }
  # Kill containers first (SIGKILL, immediate) so dockerd's own shutdown has nothing to wait for.
  engine_clean "$1" || true
  stop_pidfile "$dir/dockerd.pid" dockerd 30
}
