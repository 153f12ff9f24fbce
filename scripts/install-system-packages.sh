#!/usr/bin/env bash
# Installs the C libraries tokenvault's system library targets need, when missing (Debian/Ubuntu).
set -euo pipefail
missing=()
for package in libsqlite3-dev zlib1g-dev libgpgme-dev gnupg pkg-config; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
