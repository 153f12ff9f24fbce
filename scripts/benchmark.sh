#!/usr/bin/env bash
# The benchmark: generates a 1,000,000-row gzip file (5% repeats, 2% invalid rows), runs the
# release build on it into a fresh vault, and prints rows/s, peak RSS and the per-stage split.
#   scripts/benchmark.sh [card|bank-account] [rows] [sqlite|postgres]
# `postgres` starts a throwaway PostgreSQL server on this machine (scripts/with-postgres.sh) and
# measures, in the same run: the SQLite vault, a fresh PostgreSQL vault, and 3 concurrent
# writers into one fresh PostgreSQL vault (3 files of rows/3 rows each).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-card}"
rows="${2:-1000000}"
store="${3:-sqlite}"
scripts/install-system-packages.sh
swift build -c release >/dev/null
bin=.build/release/tokenvault
mkdir -p bench
input="bench/$kind-$rows.csv.gz"
[ -f "$input" ] || "$bin" sample --kind "$kind" --rows "$rows" --seed 42 --repeat-percent 5 --invalid-percent 2 --out "$input"
echo "input: $input ($(du -h "$input" | cut -f1)), $(nproc) cores"

sqlite_run() {
  rm -rf bench/vault.db bench/vault.db-* bench/vault.db.key bench/out
  echo "== SQLite vault"
  "$bin" tokenize --kind "$kind" "$input" --vault bench/vault.db --create-vault --out bench/out --job-id bench --timings --quiet --no-progress 2>&1 \
    | grep -E '^(timings|stage)'
  echo "vault: $(du -h bench/vault.db | cut -f1)"
}

if [ "$store" = "sqlite" ]; then
  sqlite_run
  exit 0
fi

postgres_runs() {
  local admin="$TOKENVAULT_TEST_POSTGRES_URL" base="${TOKENVAULT_TEST_POSTGRES_URL%/*}"
  export TOKENVAULT_MASTER_KEY
  TOKENVAULT_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
  sqlite_run
  psql -q "$admin" -c "CREATE DATABASE bench_one" -c "CREATE DATABASE bench_three"
  echo "== PostgreSQL vault (server on this machine)"
  "$bin" init --vault "$base/bench_one" --quiet
  "$bin" tokenize --kind "$kind" "$input" --vault "$base/bench_one" --out bench/out-pg --job-id bench --timings --quiet --no-progress 2>&1 \
    | grep -E '^(timings|stage)'
  echo "database: $(psql -Atq "$admin" -c "SELECT pg_size_pretty(pg_database_size('bench_one'))")"
  echo "== 3 concurrent writers into one PostgreSQL vault"
  local part=$((rows / 3))
  for i in 1 2 3; do
    [ -f "bench/$kind-$part-$i.csv.gz" ] || "$bin" sample --kind "$kind" --rows "$part" --seed "$((42 + i))" --repeat-percent 5 --invalid-percent 2 --out "bench/$kind-$part-$i.csv.gz"
  done
  "$bin" init --vault "$base/bench_three" --quiet
  local start end
  start=$(date +%s.%N)
  for i in 1 2 3; do
    "$bin" tokenize --kind "$kind" "bench/$kind-$part-$i.csv.gz" --vault "$base/bench_three" --out bench/out-pg3 --job-id "bench$i" --quiet --no-progress --timings 2>&1 \
      | grep -E '^timings' | sed "s/^/writer $i: /" &
  done
  wait
  end=$(date +%s.%N)
  python3 -c "import sys; n=3*$part; s=$end-$start; print(f'3 writers: {n:,} rows in {s:.2f} s = {n/s:,.0f} rows/s together')"
  "$bin" report --vault "$base/bench_three" | tail -1
}
export -f sqlite_run postgres_runs
export bin kind rows input
# A server tuned as a small production one would be: more shared buffers, durable commits.
TOKENVAULT_POSTGRES_OPTIONS="-c shared_buffers=1GB -c max_wal_size=4GB" scripts/with-postgres.sh bash -c postgres_runs
