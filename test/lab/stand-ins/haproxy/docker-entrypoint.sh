#!/bin/sh
# The haproxy image's entrypoint, verbatim in behaviour: a leading flag or `haproxy` becomes
# `haproxy -W -db ...` (master-worker, foreground). The binary itself is the real Debian haproxy.
set -e
if [ "${1#-}" != "$1" ]; then
  set -- haproxy "$@"
fi
if [ "$1" = 'haproxy' ]; then
  shift
  set -- haproxy -W -db "$@"
fi
exec "$@"
