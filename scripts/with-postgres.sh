#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: a temporary data folder, a free local port,
# trust authentication on loopback only, stopped and removed when the command ends (also on
# failure or Ctrl-C). The command gets TOKENVAULT_TEST_POSTGRES_URL (the server's admin URL);
# TOKENVAULT_POSTGRES_OPTIONS adds server settings (`-c name=value …`).
#   scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bindir/initdb" ] || { echo "with-postgres: PostgreSQL server binaries not found (run scripts/install-system-packages.sh)" >&2; exit 69; }
folder="$(mktemp -d /tmp/tokenvault-postgres.XXXXXX)"
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$folder"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
stop() {
  as_server "$bindir/pg_ctl" -D "$folder/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap stop EXIT
as_server "$bindir/initdb" -D "$folder/data" -U postgres --auth-local=trust --auth-host=trust -E UTF8 --no-sync >/dev/null
as_server "$bindir/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$folder -c max_connections=200 ${TOKENVAULT_POSTGRES_OPTIONS:-}" >/dev/null
export TOKENVAULT_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
"$@"
