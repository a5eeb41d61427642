#!/usr/bin/env bash
# Installs the Debian packages the lab needs, only when one is missing (so a warm machine pays
# nothing). One list, used by .ci/run, `npm run demo` and the lab itself.
set -euo pipefail

PACKAGES=(docker.io openssh-server openssh-client docker-registry busybox-static iptables haproxy iproute2 psmisc procps util-linux openssl)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "lab: missing Debian packages: ${missing[*]}" >&2
  echo "lab: as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "lab: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start nothing we rely on; make sure a packaged service does not hold the
# ports or sockets the lab uses.
for svc in docker docker.socket containerd ssh docker-registry haproxy; do
  systemctl stop "$svc" >/dev/null 2>&1 || true
done
