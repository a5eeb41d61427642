#!/bin/bash
# First process of a lab host's own mount and UTS namespaces (started by lab.sh through
# `nsenter --net=... unshare --mount --uts --propagation private`): gives the host its hostname,
# /run, /opt, /var/log, /etc/environment, /etc/hostname, /etc/hosts, /etc/profile.d and
# /etc/heal-pyroscope, then idles as the namespaces' anchor.
# sshd and dockerd join these namespaces later with `nsenter --target ANCHOR`.
set -euo pipefail
name=$1 dir=$2

hostname "$name"
# Our copies of /run/netns/* (and any engine's netns files) would pin other namespaces alive.
# One umount for all of them: a umount per mount made a 100-target lab's bring-up quadratic.
umount -a -t nsfs 2>/dev/null || true
mount --bind "$dir/run" /run
mkdir -p -m 755 /run/sshd
for file in environment hostname hosts; do mount --bind "$dir/etc/$file" "/etc/$file"; done
# Its own /etc/profile.d too (the production guard reads it), seeded once with this machine's.
if [ ! -d "$dir/etc/profile.d" ]; then
  mkdir -p "$dir/etc/profile.d"
  if [ -d /etc/profile.d ]; then cp -a /etc/profile.d/. "$dir/etc/profile.d/"; fi
fi
mkdir -p /etc/profile.d
mount --bind "$dir/etc/profile.d" /etc/profile.d
# And its own /var/log, where heal-pyroscope keeps each server's audit log.
mkdir -p "$dir/log"
mount --bind "$dir/log" /var/log
# Bash sources ~/.bashrc for every command sshd runs; this machine's root .bashrc (version
# managers and all) is not a fresh server's and costs each remote command ~100 ms of CPU.
if [ -e /root/.bashrc ]; then
  printf '# lab host: a fresh root .bashrc\n' >"$dir/bashrc"
  mount --bind "$dir/bashrc" /root/.bashrc
fi
# Its own /etc/heal-pyroscope, where a target keeps the stack's CA for its agents (`agents` prints
# the steps); the mount point is an empty directory on this machine.
mkdir -p "$dir/etc/heal-pyroscope" /etc/heal-pyroscope
mount --bind "$dir/etc/heal-pyroscope" /etc/heal-pyroscope
# Each host has its own /opt, where the product keeps its per-host files, as separate machines would.
mkdir -p "$dir/opt"
mount --bind "$dir/opt" /opt
touch "$dir/anchor.ready"
exec sleep infinity
