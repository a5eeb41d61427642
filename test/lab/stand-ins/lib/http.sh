# A tiny HTTP/1.x responder for the stand-ins: `nc -ll -e HANDLER` forks a handler per
# connection with the socket on stdin/stdout; the handler sources this, reads one request, replies.

CR=$(printf '\r')
http_read() {
  IFS=' ' read -r REQ_METHOD REQ_TARGET REQ_VERSION || exit 0
  REQ_VERSION=${REQ_VERSION%"$CR"}
  REQ_PATH=${REQ_TARGET%%\?*}
  REQ_LENGTH=0 REQ_AUTH="" REQ_SECRET="" REQ_ORGID=""
  local line orgid_seen=""
  while IFS= read -r line; do
    line=${line%"$CR"}
    [ -z "$line" ] && break
    case "$line" in
      [Cc]ontent-[Ll]ength:*) REQ_LENGTH=$(echo "${line#*:}" | tr -dc 0-9) ;;
      [Aa]uthorization:*) REQ_AUTH=${line#*: } ;;
      [Xx]-[Ll]ab-[Ss]ecret:*) REQ_SECRET=${line#*: } ;;
      # X-Scope-OrgID as Go's Header.Get reads it: the first one, spaces trimmed.
      [Xx]-[Ss][Cc][Oo][Pp][Ee]-[Oo][Rr][Gg][Ii][Dd]:*)
        if [ -z "$orgid_seen" ]; then
          orgid_seen=1
          REQ_ORGID=${line#*:}
          REQ_ORGID=${REQ_ORGID#"${REQ_ORGID%%[! 	]*}"}
          REQ_ORGID=${REQ_ORGID%"${REQ_ORGID##*[! 	]}"}
        fi ;;
    esac
  done
  # Drain the body so the client never sees a reset before our reply.
  if [ "${REQ_LENGTH:-0}" -gt 0 ]; then head -c "$REQ_LENGTH" >/dev/null; fi
  echo "$REQ_METHOD $REQ_TARGET" >>/tmp/lab-requests.log 2>/dev/null || true
}

# reply STATUS BODY [CONTENT_TYPE [EXTRA_HEADER]]
reply() {
  local body=$2 extra=""
  [ -z "${4-}" ] || extra="$4$CR
"
  printf 'HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n%s\r\n' \
    "$1" "${3:-text/plain; charset=utf-8}" "${#body}" "$extra"
  [ "$REQ_METHOD" = HEAD ] || printf '%s' "$body"
}
