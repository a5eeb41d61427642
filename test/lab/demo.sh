#!/usr/bin/env bash
# `npm run demo`: on a fresh machine, as root — install the lab's Debian packages, build, bring
# the lab up, and run the product end to end against it: preflight, install, a second install
# (idempotent: everything unchanged), status, uninstall. DEMO_KEEP=1 leaves the stack installed
# so you can look at it (Grafana: `node bin/heal-pyroscope open grafana --config
# test/lab/.run/heal-pyroscope.yaml`); `npm run lab:down` removes the lab.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (the lab creates network namespaces)" >&2; exit 1; }
bash test/lab/deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
bash test/lab/lab.sh up
bash test/lab/lab.sh demo-config >/dev/null
config=test/lab/.run/heal-pyroscope.yaml
hp() {
  echo
  echo "\$ heal-pyroscope $* --config $config"
  node bin/heal-pyroscope "$@" --config "$config"
}

hp preflight
hp install
hp install            # idempotent: every container unchanged, nothing pulled
hp status
if [ "${DEMO_KEEP:-0}" = 1 ]; then
  echo
  echo "demo: the stack stays installed (DEMO_KEEP=1). Remove it with: node bin/heal-pyroscope uninstall --config $config"
else
  hp uninstall
fi
echo
echo "demo: done. The lab is still up (npm run lab:status); take it down with: npm run lab:down"
