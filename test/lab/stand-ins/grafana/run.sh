#!/bin/sh
# Stand-in for /run.sh of grafana/grafana (lab only): the real script's checks (config readable,
# data writable, VAR and VAR__FILE exclusive), then Grafana's port with /api/health.
COMPONENT=grafana
. /lab/lib.sh

[ -r "$GF_PATHS_CONFIG" ] || lab_fatal "GF_PATHS_CONFIG='$GF_PATHS_CONFIG' is not readable."
if [ ! -w "$GF_PATHS_DATA" ]; then
  echo "GF_PATHS_DATA='$GF_PATHS_DATA' is not writable." >&2
  echo "You may have issues with file permissions, more information here: http://docs.grafana.org/installation/docker/#migrate-to-v51-or-later" >&2
  lab_fatal "Grafana-server Init Failed: mkdir $GF_PATHS_DATA/plugins: permission denied (uid $(id -u), gid $(id -g))"
fi

# Docker secrets: GF_X__FILE=path sets GF_X from the file; both set is an error, as in run.sh.
for name in $(env | sed -n 's/^\(GF_[^=]*\)__FILE=.\{1,\}$/\1/p'); do
  eval "direct=\${$name-}; file=\${${name}__FILE}"
  if [ -n "$direct" ]; then
    echo "ERROR: Both $name and ${name}__FILE are set (but are exclusive)" >&2
    exit 1
  fi
  [ -r "$file" ] || lab_fatal "ERROR: ${name}__FILE=$file is not readable"
  echo "Getting secret $name from $file" >&2
  export "$name=$(cat "$file")"
  unset "${name}__FILE"
done

# Provisioned data sources: unreadable or malformed files stop the real server too.
ds_dir="$GF_PATHS_PROVISIONING/datasources"
: >/tmp/lab-datasources.flat
for f in "$ds_dir"/*.yaml "$ds_dir"/*.yml; do
  [ -e "$f" ] || continue
  [ -r "$f" ] || lab_fatal "Datasource provisioning error: open $f: permission denied"
  awk -f /lab/yamlflat.awk "$f" >/tmp/lab-ds.flat || lab_fatal "Datasource provisioning error: $f is not YAML"
  grep -q '^apiVersion=' /tmp/lab-ds.flat || lab_fatal "Datasource provisioning error: $f has no apiVersion"
  cat /tmp/lab-ds.flat >>/tmp/lab-datasources.flat
done

# Grafana 12 reaches grafana.com at every start (plugin preinstall, update checks, news feed) unless
# all four are off, by environment or grafana.ini. A lab host, like an air-gapped site, has no
# grafana.com: the real server would hang or log errors there, so the stand-in refuses to start.
ini_value() { # SECTION KEY: the value in $GF_PATHS_CONFIG, or nothing
  awk -v s="[$1]" -v k="$2" '
    /^[ \t]*\[/ { gsub(/[ \t]/, ""); in_s = ($0 == s); next }
    in_s && index($0, "=") { key = substr($0, 1, index($0, "=") - 1); gsub(/[ \t]/, "", key)
      if (key == k) { v = substr($0, index($0, "=") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); print v; exit } }' "$GF_PATHS_CONFIG"
}
# Grafana's booleans: true/1/yes/on (any case) and their opposites.
is_bool() { case $(echo "$2" | tr A-Z a-z) in true | t | 1 | yes | y | on) [ "$1" = true ] ;; false | f | 0 | no | n | off) [ "$1" = false ] ;; *) false ;; esac; }
offline=""
for setting in plugins:preinstall_disabled:true analytics:check_for_updates:false \
  analytics:check_for_plugin_updates:false news:news_feed_enabled:false; do
  section=${setting%%:*} rest=${setting#*:} key=${rest%%:*} want=${rest#*:}
  var=GF_$(echo "${section}_$key" | tr a-z A-Z)
  eval "value=\${$var-}"
  [ -n "$value" ] || value=$(ini_value "$section" "$key")
  is_bool "$want" "$value" || offline="$offline $var=$want"
done
[ -z "$offline" ] || lab_fatal "lab stand-in refuses to start: the real grafana/grafana:$LAB_STAND_IN_VERSION would reach grafana.com at start-up (plugin preinstall, update checks, news feed); set$offline"

# The admin password applies only when the admin user is first created (kept in the data dir).
mkdir -p "$GF_PATHS_DATA/plugins"
[ -f "$GF_PATHS_DATA/lab-admin" ] ||
  printf '%s:%s' "${GF_SECURITY_ADMIN_USER:-admin}" "${GF_SECURITY_ADMIN_PASSWORD:-admin}" >"$GF_PATHS_DATA/lab-admin"
cp "$GF_PATHS_DATA/lab-admin" /tmp/lab-admin

port=${GF_SERVER_HTTP_PORT:-3000}
listen "$port" 0.0.0.0 /lab/grafana-http
lab_log "logger=http.server msg=\"HTTP Server Listen\" address=[::]:$port (lab stand-in $LAB_STAND_IN_VERSION)"
serve_forever
