#!/bin/sh
# Stand-in for minio/minio's docker-entrypoint.sh: same argument rewrite and *_FILE secrets lookup
# (absolute path, else /run/secrets/NAME), then the minio binary stand-in.
if [ "${1}" != "minio" ] && [ -n "${1}" ]; then
  set -- minio "$@"
fi
secret_file() { if [ -f "$1" ]; then echo "$1"; else echo "/run/secrets/$1"; fi; }
user_file=$(secret_file "${MINIO_ROOT_USER_FILE:-}")
password_file=$(secret_file "${MINIO_ROOT_PASSWORD_FILE:-}")
if [ -n "${MINIO_ROOT_USER_FILE:-}" ] && [ -f "$user_file" ] && [ -f "$password_file" ]; then
  MINIO_ROOT_USER=$(cat "$user_file")
  MINIO_ROOT_PASSWORD=$(cat "$password_file")
  export MINIO_ROOT_USER MINIO_ROOT_PASSWORD
fi
exec "$@"
