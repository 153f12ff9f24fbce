#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks: the C libraries of tokenvault's system
# library targets (sqlite3, zlib, libpq, GPGME), gnupg, pkg-config, and PostgreSQL's server for the tests.
set -euo pipefail
missing=()
for package in libsqlite3-dev zlib1g-dev libpq-dev libgpgme-dev gnupg pkg-config postgresql postgresql-client; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
