#!/bin/sh
# One relayed connection from inner-01 to a lab registry: bastion-01's `nc -ll -e` runs this per
# connection, so inner-01's engine can pull through bastion-01 without any route to the bridge.
exec busybox nc "$HPLAB_RELAY_TO" "${HPLAB_RELAY_PORT:-5000}"
