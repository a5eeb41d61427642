# Shared start-up logic of the stand-in images (busybox ash, inside the container).
# Each stand-in repeats its real image's contract and refuses, loudly, the wirings the real one
# would choke on, so the installer's integration tests can catch them without the real images.

lab_log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $COMPONENT: $*" >&2; }
lab_fatal() { lab_log "$*"; exit 1; }

# Config files: flattened once to "a.b.c=value" lines (see yamlflat.awk), read with cfg.
CFG_FLAT=/tmp/lab-config.flat
EXPAND_ENV=false
load_config() { awk -f /lab/yamlflat.awk "$1" >"$CFG_FLAT" || lab_fatal "failed parsing config $1: not YAML"; }
# cfg KEY [DEFAULT]: the value, with ${VAR} and ${VAR:-default} expanded under -config.expand-env=true.
cfg_raw() { awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); f = 1; exit } END { exit !f }' "$CFG_FLAT" 2>/dev/null; }
cfg() {
  local val
  val=$(cfg_raw "$1") || val=""
  if [ "$EXPAND_ENV" = true ]; then
    case "$val" in *'`'* | *'$('*) ;; *'${'*) val=$(eval "printf '%s' \"$val\"") ;; esac
  fi
  [ -n "$val" ] || val=${2-}
  echo "$val"
}
cfg_has() { cfg_raw "$1" >/dev/null; }
# cfg_bool KEY DEFAULT: true or false as Go's YAML decoders read a typed bool (true/True/TRUE and
# YAML 1.1's yes/on/no/off); anything else fails as the real config parser does. Call it as
# `v=$(cfg_bool KEY false) || exit 1`.
cfg_bool() {
  local val
  val=$(cfg "$1" "$2")
  case "$val" in
    true | True | TRUE | yes | Yes | YES | on | On | ON) echo true ;;
    false | False | FALSE | no | No | NO | off | Off | OFF) echo false ;;
    *) lab_fatal "level=error msg=\"failed parsing config: yaml: cannot unmarshal !!str \`$val\` into bool ($1)\"" ;;
  esac
}

# require_writable DIR MESSAGE: the real binaries mkdir/write their data path at start-up.
require_writable() {
  mkdir -p "$1" 2>/dev/null || lab_fatal "$2: mkdir $1: permission denied (running as uid $(id -u), gid $(id -g))"
  local probe="$1/.lab-write-probe.$$"
  (: >"$probe") 2>/dev/null || lab_fatal "$2: open $probe: permission denied (running as uid $(id -u), gid $(id -g); $1 is owned by $(stat -c %u:%g "$1"))"
  rm -f "$probe"
}

# S3 settings the ready probe checks (endpoint answers, bucket exists, credentials match).
write_s3_target() { # ENDPOINT BUCKET ACCESS_KEY SECRET_KEY INSECURE
  case "$1" in *://*) lab_fatal "invalid s3 endpoint '$1': must be host:port without a scheme (Endpoint url cannot have fully qualified paths)" ;; esac
  [ -n "$1" ] || lab_fatal "invalid s3 config: endpoint is empty"
  [ -n "$2" ] || lab_fatal "invalid s3 config: bucket is empty"
  printf 'S3_ENDPOINT=%s\nS3_BUCKET=%s\nS3_ACCESS_KEY=%s\nS3_SECRET_KEY=%s\nS3_INSECURE=%s\n' "$@" >/tmp/lab-s3.env
}

# s3_ready: echoes why not ready and fails, or succeeds. Checked at each /ready, like the real
# services that stay 503 until their storage client works.
s3_ready() {
  [ -f /tmp/lab-s3.env ] || return 0
  . /tmp/lab-s3.env
  [ "$S3_INSECURE" = true ] || { echo "s3: insecure is not true: TLS to $S3_ENDPOINT, which speaks plain HTTP"; return 1; }
  timeout 3 wget -q -O /dev/null "http://$S3_ENDPOINT/minio/health/live" 2>/dev/null ||
    { echo "s3: endpoint $S3_ENDPOINT does not answer /minio/health/live"; return 1; }
  local status
  status=$(timeout 3 wget -q -S -O /dev/null --header "Authorization: AWS4-HMAC-SHA256 Credential=$S3_ACCESS_KEY/lab" \
    --header "X-Lab-Secret: $S3_SECRET_KEY" "http://$S3_ENDPOINT/$S3_BUCKET/" 2>&1 | awk '$1 ~ /^HTTP\// {print $2}' | tail -1)
  case "$status" in
    200) return 0 ;;
    403) echo "s3: access denied to bucket $S3_BUCKET at $S3_ENDPOINT (wrong access or secret key)" ;;
    404 | "") echo "s3: bucket $S3_BUCKET does not exist at $S3_ENDPOINT" ;;
    *) echo "s3: bucket check at $S3_ENDPOINT answered $status" ;;
  esac
  return 1
}

# listen PORT ADDR HANDLER: one forked HANDLER per connection; dies with a bind error like Go.
LAB_PIDS=""
listen() {
  nc -ll -p "$1" "$2" -e "$3" &
  local pid=$!
  sleep 0.2
  kill -0 "$pid" 2>/dev/null || lab_fatal "listen tcp $2:$1: bind: address already in use"
  LAB_PIDS="$LAB_PIDS $pid"
}

# serve ROLE PORT ADDR: a protocol listener of /lab/protocols.mjs (real HTTP/2 and gRPC), run by the
# image's node; dies with the bind error like Go. Its pid is in /tmp/lab-pid-ROLE once it listens.
serve() {
  rm -f "/tmp/lab-pid-$1"
  node /lab/protocols.mjs "$1" "$3" "$2" &
  local pid=$! i=0
  while [ ! -s "/tmp/lab-pid-$1" ]; do
    kill -0 "$pid" 2>/dev/null || lab_fatal "listen tcp $3:$2: bind: address already in use"
    i=$((i + 1))
    [ "$i" -lt 150 ] || lab_fatal "lab stand-in: $1 listener on $3:$2 did not start within 15 s"
    sleep 0.1
  done
  LAB_PIDS="$LAB_PIDS $pid"
}

# serve_forever: PID 1 must handle SIGTERM itself, or `docker stop` waits 10 s and kills.
serve_forever() {
  trap 'kill $LAB_PIDS 2>/dev/null; exit 0' TERM INT
  while :; do wait; sleep 1; done
}

# bool_flag NAME ARGS...: a Go bool flag's last value among ARGS (-NAME, -NAME=V, --NAME=V; Go's
# strconv.ParseBool), or nothing when it is not given. Call it as `v=$(bool_flag NAME "$@") || exit 1`.
bool_flag() {
  local name=$1 val="" arg
  shift
  for arg in "$@"; do
    case "$arg" in
      "-$name" | "--$name") val=true ;;
      "-$name="* | "--$name="*)
        case "${arg#*=}" in
          1 | t | T | true | TRUE | True) val=true ;;
          0 | f | F | false | FALSE | False) val=false ;;
          *) lab_fatal "invalid boolean value \"${arg#*=}\" for -$name: parse error" ;;
        esac ;;
    esac
  done
  echo "$val"
}

# parse_go_flags ARGS...: Go's flag syntax (-x=v, --x=v, -x v) for the flags the stand-ins read.
CONFIG_FILE=""
parse_go_flags() {
  while [ $# -gt 0 ]; do
    case "$1" in
      -config.file=* | --config.file=*) CONFIG_FILE=${1#*=} ;;
      -config.file | --config.file) shift; CONFIG_FILE=${1-} ;;
      -config.expand-env=* | --config.expand-env=*) EXPAND_ENV=${1#*=} ;;
      -config.expand-env | --config.expand-env) EXPAND_ENV=true ;;
      -*) ;;
      *) lab_fatal "unexpected argument '$1' (flags only; did a command override drop the leading '-'?)" ;;
    esac
    shift
  done
}
