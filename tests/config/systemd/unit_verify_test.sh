#!/bin/sh
# The shipped systemd unit (config/systemd/ttyhub.service.in) passes
# `systemd-analyze verify` without a single warning, with its binary paths
# pointed at this build's ttyhub. Skipped (77) where systemd-analyze is
# missing. Usage: unit_verify_test.sh UNIT_IN TTYHUB_BINARY
set -eu
unit_in=$1
ttyhub=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not installed"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s|@CMAKE_INSTALL_FULL_BINDIR@/ttyhub|$ttyhub|g" \
    -e "s|@CMAKE_INSTALL_FULL_DOCDIR@|/usr/share/doc/ttyhub|g" \
    "$unit_in" > "$tmp/ttyhub.service"
if ! out=$(systemd-analyze verify "$tmp/ttyhub.service" 2>&1); then
  echo "systemd-analyze verify failed:"
  echo "$out"
  exit 1
fi
if [ -n "$out" ]; then
  echo "systemd-analyze verify warned:"
  echo "$out"
  exit 1
fi
# What the features need from the sandbox.
for line in 'LogsDirectory=ttyhub' 'ReadWritePaths=/run/lock'; do
  if ! grep -qx "$line" "$tmp/ttyhub.service"; then
    echo "the unit lacks: $line"
    exit 1
  fi
done
echo "OK: systemd-analyze verify is clean"
