# Stand-in images: tiny root file systems (busybox-static plus scripts; the real Debian haproxy
# binary for HAProxy) imported with `docker import`, pushed to the lab registry of the image's real
# registry (lib/registry.sh) under the manifest's exact names, then removed from the build engine so
# every host really pulls by that name.

STAND_INS="$LAB_DIR/stand-ins"

# "component registry repository tag" per line, read from src/stack/manifest.ts (the single source
# of truth); registry is docker.io unless the manifest names another.
manifest_images() {
  (cd "$REPO_DIR" && node --import tsx --input-type=module -e '
    const m = await import("./src/stack/manifest.ts");
    for (const c of m.COMPONENTS) console.log(c.name, c.registry ?? "docker.io", c.repository, c.tag);')
}

# More tags of a component's stand-in, "component tag" per line, published beside the manifest's pin
# under the same repository: a newer release to upgrade to, and a lab-only tag whose container never
# becomes ready (its stand-in checks its config, then never listens), for the upgrade's rollback.
LAB_EXTRA_TAGS="pyroscope 1.15.0
pyroscope 1.15.0-lab-never-ready"

# lab_images: manifest_images plus LAB_EXTRA_TAGS, in the same "component registry repository tag" form.
lab_images() {
  local list component tag registry repo
  list=$(manifest_images) || return 1
  echo "$list"
  while read -r component tag; do
    read -r _ registry repo _ < <(grep "^$component " <<<"$list") || return 1
    echo "$component $registry $repo $tag"
  done <<<"$LAB_EXTRA_TAGS"
}

# Docker Hub repositories that are gone from Docker Hub, with their new home. The lab mirrors
# reality: it never serves them on its Docker Hub mirror (and deletes them there from older runs),
# and publishes the stand-in at the new home even while the manifest still names the old one.
HUB_DELETED="minio/minio=quay.io/minio/minio" # Docker Hub deleted minio/minio on 2026-09-12

# image_home REGISTRY REPOSITORY: "REGISTRY PATH" where the lab publishes it (PATH as stored in that
# registry: Docker Hub's official images live under library/).
image_home() {
  local registry=$1 repo=$2 moved
  case ${repo%%/*} in *.* | *:*) [ "$repo" = "${repo#*/}" ] || { registry=${repo%%/*} repo=${repo#*/}; } ;; esac
  if [ "$registry" = docker.io ]; then
    for moved in $HUB_DELETED; do
      if [ "${moved%%=*}" = "$repo" ]; then moved=${moved#*=}; registry=${moved%%/*} repo=${moved#*/}; fi
    done
  fi
  case $registry:$repo in docker.io:*/*) ;; docker.io:*) repo=library/$repo ;; esac
  echo "$registry $repo"
}

# hub_deleted_drop: remove Docker Hub's deleted repositories from the lab's Docker Hub storage;
# fails when there was nothing to remove.
hub_deleted_drop() {
  local moved dir dropped=1
  for moved in $HUB_DELETED; do
    dir="$(registry_storage docker.io)/docker/registry/v2/repositories/${moved%%=*}"
    [ -d "$dir" ] || continue
    log "stand-in images: ${moved%%=*} is gone from Docker Hub: removing it from the mirror"
    rm -rf "$dir"
    dropped=0
  done
  return $dropped
}

images_stamp() {
  {
    echo "$1"
    (cd "$STAND_INS" && find . -type f | sort | xargs sha256sum)
    sha256sum "$LAB_DIR/lib/images.sh" "$LAB_DIR/lib/registry.sh" "$(command -v busybox)" "$(command -v haproxy)" "$(command -v node)"
    lab_registries
  } | sha256sum | cut -d' ' -f1
}

registry_has() { # REGISTRY PATH TAG
  timeout 3 busybox wget -q -O - "http://$(registry_address "$1")/v2/$2/tags/list" 2>/dev/null | grep "\"$3\"" >/dev/null
}

# rootfs_base DIR PASSWD_LINE...: busybox with every applet, the shared stand-in scripts, users.
rootfs_base() {
  local dir=$1 applet; shift
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/sbin,etc,lab,tmp,root,run/secrets,var/run}
  chmod 1777 "$dir/tmp"
  cp "$(command -v busybox)" "$dir/bin/busybox"
  for applet in $(busybox --list); do [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"; done
  cp "$STAND_INS"/lib/* "$dir/lab/"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  local line
  for line in "$@"; do
    echo "$line" >>"$dir/etc/passwd"
    IFS=: read -r name _ _ gid _ <<<"$line"
    grep -q ":$gid:\$" "$dir/etc/group" || echo "$name:x:$gid:" >>"$dir/etc/group"
  done
}

# add_binary DIR BINARY: the machine's binary at the same path, with exactly the shared libraries it
# links (ldd), so it runs in an image without a base.
add_binary() {
  local bin lib
  bin=$(command -v "$2")
  install -D -m 755 "$bin" "$1$bin"
  for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    cp -L --parents "$lib" "$1/"
  done
}

# build_COMPONENT DIR: the component's files; prints its `docker import --change` lines.
# Pyroscope and Tempo speak real HTTP/2 and gRPC through /lab/protocols.mjs, run by the machine's node.
build_pyroscope() {
  rootfs_base "$1" 'pyroscope:x:10001:10001::/data:/bin/false'
  add_binary "$1" node
  install -m 755 "$STAND_INS/pyroscope/pyroscope" "$1/usr/bin/pyroscope"
  mkdir -p "$1/data" "$1/data-compactor" "$1/etc/pyroscope" && chown 10001:10001 "$1/data" "$1/data-compactor"
  printf '%s\n' 'ENTRYPOINT ["/usr/bin/pyroscope"]' 'CMD ["-config.file=/etc/pyroscope/config.yaml"]' \
    'USER 10001:10001' 'VOLUME ["/data", "/data-compactor"]' 'EXPOSE 4040'
}
build_tempo() {
  rootfs_base "$1" 'tempo:x:10001:10001::/var/tempo:/bin/false'
  add_binary "$1" node
  install -m 755 "$STAND_INS/tempo/tempo" "$1/tempo"
  install -m 755 "$STAND_INS/tempo/http" "$1/lab/tempo-http"
  mkdir -p "$1/var/tempo" && chown 10001:10001 "$1/var/tempo"
  printf '%s\n' 'ENTRYPOINT ["/tempo"]' 'USER 10001:10001' 'EXPOSE 3200 4317 14250'
}
build_grafana() {
  rootfs_base "$1" 'grafana:x:472:0::/usr/share/grafana:/bin/false'
  install -m 755 "$STAND_INS/grafana/run.sh" "$1/run.sh"
  install -m 755 "$STAND_INS/grafana/http" "$1/lab/grafana-http"
  mkdir -p "$1"/etc/grafana/provisioning/{datasources,dashboards,plugins,alerting} "$1"/usr/share/grafana "$1"/var/{lib,log}/grafana
  install -m 644 "$STAND_INS/grafana/grafana.ini" "$1/etc/grafana/grafana.ini"
  chown 472:0 "$1"/var/{lib,log}/grafana && chmod 775 "$1"/var/{lib,log}/grafana
  printf '%s\n' 'ENTRYPOINT ["/run.sh"]' 'USER 472' 'WORKDIR /usr/share/grafana' 'EXPOSE 3000' \
    'ENV GF_PATHS_CONFIG=/etc/grafana/grafana.ini' 'ENV GF_PATHS_DATA=/var/lib/grafana' \
    'ENV GF_PATHS_HOME=/usr/share/grafana' 'ENV GF_PATHS_LOGS=/var/log/grafana' \
    'ENV GF_PATHS_PLUGINS=/var/lib/grafana/plugins' 'ENV GF_PATHS_PROVISIONING=/etc/grafana/provisioning'
}
build_minio() {
  rootfs_base "$1"
  install -m 755 "$STAND_INS/minio/docker-entrypoint.sh" "$1/usr/bin/docker-entrypoint.sh"
  install -m 755 "$STAND_INS/minio/minio" "$1/usr/bin/minio"
  install -m 755 "$STAND_INS/minio/mc" "$1/usr/bin/mc"
  install -m 755 "$STAND_INS/minio/http" "$1/lab/minio-http"
  install -m 755 "$STAND_INS/minio/console-http" "$1/lab/minio-console-http"
  mkdir -p "$1/data"
  printf '%s\n' 'ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]' 'CMD ["minio"]' 'VOLUME ["/data"]' 'EXPOSE 9000' \
    'ENV MINIO_ROOT_USER_FILE=access_key' 'ENV MINIO_ROOT_PASSWORD_FILE=secret_key' 'ENV MC_CONFIG_DIR=/tmp/.mc'
}
build_haproxy() {
  rootfs_base "$1" 'haproxy:x:99:99::/var/lib/haproxy:/usr/sbin/nologin'
  local bin lib
  bin=$(command -v haproxy)
  install -m 755 "$bin" "$1/usr/local/sbin/haproxy"
  # The real binary with exactly the shared libraries it links (ldd), at the same paths.
  for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
    cp -L --parents "$lib" "$1/"
  done
  install -m 755 "$STAND_INS/haproxy/docker-entrypoint.sh" "$1/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$1/usr/local/etc/haproxy" "$1/var/lib/haproxy" && chown 99:99 "$1/var/lib/haproxy"
  printf '%s\n' 'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' \
    'USER haproxy' 'WORKDIR /var/lib/haproxy'
}

# build_push SOCKET COMPONENT REGISTRY PATH TAG: import, push to the lab registry, drop the local copy.
# Docker Hub images go by the mirror's address; others by their real name (quay.io/...), which the
# build engine resolves to the lab registry like every lab engine.
build_push() {
  local sock=$1 component=$2 registry=$3 path=$4 tag=$5 dir="$STATE_DIR/build/$2-$5" ref change
  local -a changes=()
  while IFS= read -r change; do changes+=(--change "$change"); done < <("build_$component" "$dir")
  if [ "$registry" = docker.io ]; then ref="$REGISTRY_ADDR/$path:$tag"; else ref="$registry/$path:$tag"; fi
  changes+=(--change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LAB_STAND_IN_VERSION=$tag" --change "LABEL org.hplab.stand-in=$component")
  tar --numeric-owner -C "$dir" -c . | docker -H "unix://$sock" import "${changes[@]}" - "$ref" >/dev/null
  # dockerd 20.10's import takes no STOPSIGNAL: add it with a one-line build on the imported image.
  if [ "$component" = haproxy ]; then
    local out
    out=$(printf 'FROM %s\nSTOPSIGNAL SIGUSR1\n' "$ref" | DOCKER_BUILDKIT=0 docker -H "unix://$sock" build -q -t "$ref" - 2>&1) ||
      { echo "$out" >&2; return 1; }
  fi
  docker -H "unix://$sock" push -q "$ref" >/dev/null
  docker -H "unix://$sock" rmi "$ref" >/dev/null
  rm -rf "$dir"
}

# images_up: rebuild only when the stand-ins, the manifest, the registries or the source binaries
# changed, or an image is missing from its registry.
images_up() {
  local list stamp sock component registry repo tag home missing=0
  list=$(lab_images) || die "could not read image tags from src/stack/manifest.ts (npm ci run?)"
  # Engines may hold copies pulled from the mirror: a rebuild below drops them.
  if hub_deleted_drop; then missing=1; fi
  stamp=$(images_stamp "$list")
  while read -r component registry repo tag; do
    # shellcheck disable=SC2046
    registry_has $(image_home "$registry" "$repo") "$tag" || missing=1
  done <<<"$list"
  if [ "$missing" = 0 ] && [ "$(cat "$RUN_DIR/images.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "stand-in images: cached in the registries"
    return 0
  fi
  # A dynamic busybox (Debian's `busybox` package) would not run in an image without libc.
  if ldd "$(command -v busybox)" >/dev/null 2>&1; then die "$(command -v busybox) is not static: apt-get install busybox-static"; fi
  sock=$(host_dir app-01)/run/docker.sock
  log "stand-in images: building and pushing to the lab registries"
  local -a jobs=()
  while read -r component registry repo tag; do
    home=$(image_home "$registry" "$repo")
    # shellcheck disable=SC2086
    build_push "$sock" "$component" $home "$tag" &
    jobs+=($!)
  done <<<"$list"
  local job failed=0
  for job in "${jobs[@]}"; do wait "$job" || failed=1; done
  [ "$failed" = 0 ] || die "building the stand-in images failed (see messages above)"
  # Engines that pulled a previous build would keep running it: drop those copies, under the
  # Docker Hub name and under the name the lab publishes it as (they differ for moved repositories).
  local name tier addr ref
  local -a refs=()
  while read -r component registry repo tag; do
    home=$(image_home "$registry" "$repo")
    refs+=("$repo:$tag" "${home%% *}/${home#* }:$tag")
  done <<<"$list"
  while read -r name tier addr; do
    if has_engine "$tier" && engine_ok "$name"; then
      for ref in "${refs[@]}"; do docker -H "unix://$(engine_sock "$name")" rmi -f "$ref" >/dev/null 2>&1 || true; done
    fi
  done < <(lab_hosts)
  echo "$stamp" >"$RUN_DIR/images.stamp"
}
