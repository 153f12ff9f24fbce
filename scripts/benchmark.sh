#!/usr/bin/env bash
# The benchmark: generates a 1,000,000-row gzip file (5% repeats, 2% invalid rows), runs the
# release build on it into a fresh vault, and prints rows/s, peak RSS and the per-stage split.
#   scripts/benchmark.sh [card|bank-account] [rows] [mode]
#   scripts/benchmark.sh scale [rows]
# Modes:
#   real               (default) one run into a fresh SQLite vault
#   dry-run            a dry run into the fresh vault, the real run, then a dry run of the same
#                      file again (every instrument now existing): the three timings in turn
#   format-preserving  one run into a fresh vault made with --token-format format-preserving
#   postgres           starts a throwaway PostgreSQL server on this machine
#                      (scripts/with-postgres.sh) and measures, in the same run: the SQLite
#                      vault, a fresh PostgreSQL vault, and 3 concurrent writers into one fresh
#                      PostgreSQL vault (3 files of rows/3 rows each)
#   scale              (SPEC §8) card rows into a fresh vault (default 10,000,000), with rows/s
#                      for each million as the vault grows, peak RSS and the stage split, then
#                      the nightly case: 100,000 rows, half of them already in the vault, into
#                      that vault. Inputs are generated once into bench/ and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = scale ]; then
  kind=card
  rows="${2:-10000000}"
  mode=scale
else
  kind="${1:-card}"
  rows="${2:-1000000}"
  mode="${3:-real}"
fi
scripts/install-system-packages.sh
swift build -c release >/dev/null
bin=.build/release/tokenvault
mkdir -p bench
# sample KIND ROWS [SEED] -> the path of a generated input (made once)
sample() {
  local file="bench/$1-$2${3:+-seed$3}.csv.gz"
  [ -f "$file" ] || "$bin" sample --kind "$1" --rows "$2" --seed "${3:-42}" --repeat-percent 5 --invalid-percent 2 --out "$file"
  echo "$file"
}
input=$(sample "$kind" "$rows")
echo "input: $input ($(du -h "$input" | cut -f1)), $(nproc) cores, mode $mode"

fresh() { rm -rf bench/vault.db bench/vault.db-* bench/vault.db.key bench/out; }
tokenize() {
  echo "$1:"
  shift
  "$bin" tokenize --kind "$kind" "$input" --vault bench/vault.db --out bench/out --timings --quiet --no-progress "$@" 2>&1 \
    | grep -E '^(timings|stage)'
}

postgres_runs() {
  local admin="$TOKENVAULT_TEST_POSTGRES_URL" base="${TOKENVAULT_TEST_POSTGRES_URL%/*}"
  export TOKENVAULT_MASTER_KEY
  TOKENVAULT_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
  # The machine is shared: the load beside each figure says how quiet it was.
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  fresh
  tokenize "SQLite vault" --job-id bench --create-vault
  psql -q "$admin" -c "CREATE DATABASE bench_one" -c "CREATE DATABASE bench_three"
  echo "== PostgreSQL vault (server on this machine), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$bin" init --vault "$base/bench_one" --quiet
  "$bin" tokenize --kind "$kind" "$input" --vault "$base/bench_one" --out bench/out-pg --job-id bench --timings --quiet --no-progress 2>&1 \
    | grep -E '^(timings|stage)'
  echo "database: $(psql -Atq "$admin" -c "SELECT pg_size_pretty(pg_database_size('bench_one'))")"
  echo "== 3 concurrent writers into one PostgreSQL vault, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
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

scale_runs() {
  local vault=bench/scale.db log="bench/scale-$rows.log" nightly="bench/nightly-100000-from-$rows.csv.gz"
  rm -rf "$vault" "$vault"-* "$vault".key bench/scale-out
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$bin" init --vault "$vault" >/dev/null 2>&1
  "$bin" tokenize --kind card "$input" --vault "$vault" --out bench/scale-out --job-id scale --timings --quiet --progress 2>"$log" || { tail -5 "$log"; exit 1; }
  # The progress line (every 0.5 s) gives rows done and seconds: rows/s over each million.
  python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read().replace("\r", "\n")
samples = [(int(m.group(1).replace(",", "")), float(m.group(2)))
           for m in re.finditer(r"^([\d,]+) rows · [\d,]+ rows/s · ([\d.]+) s", text, re.M)]
last_rows, last_time, mark = 0, 0.0, 1_000_000
for rows, seconds in samples:
    if rows >= mark:
        print(f"million {mark // 1_000_000:>3}: {int((rows - last_rows) / (seconds - last_time)):>9,} rows/s  (at {seconds:.1f} s)")
        last_rows, last_time = rows, seconds
        mark = (rows // 1_000_000 + 1) * 1_000_000
PY
  grep -E '^(timings|stage)' "$log"
  echo "vault: $(du -h "$vault" | cut -f1), load $(cut -d' ' -f1-3 /proc/loadavg)"

  # The nightly case: 50,000 rows from the start of the big file (in the vault now) and 50,000
  # rows of cards it has never seen, interleaved.
  if [ ! -f "$nightly" ]; then
    local unseen
    unseen=$(sample card 50000 4242)
    paste -d '\n' <(zcat "$input" | tail -n +2 | head -n 50000) <(zcat "$unseen" | tail -n +2 | head -n 50000) \
      | cat <(zcat "$input" | head -n 1) - | gzip -1 > "$nightly"
  fi
  "$bin" tokenize --kind card "$nightly" --vault "$vault" --out bench/scale-out --job-id nightly --timings --quiet --no-progress 2>&1 \
    | grep -E '^(timings|stage)'
  python3 -c "import json; c = json.load(open('bench/scale-out/nightly.report.json'))['counts']; print('nightly:', c)"
}

case "$mode" in
  real)
    fresh
    tokenize "real run" --job-id bench --create-vault ;;
  dry-run)
    fresh
    "$bin" init --vault bench/vault.db --quiet 2>/dev/null
    tokenize "dry run, fresh vault" --job-id bench-dry --dry-run
    tokenize "real run" --job-id bench
    tokenize "dry run, every instrument existing" --job-id bench-dry-again --dry-run ;;
  format-preserving)
    fresh
    "$bin" init --vault bench/vault.db --token-format format-preserving --quiet 2>/dev/null
    tokenize "real run, format-preserving tokens" --job-id bench ;;
  postgres)
    export -f fresh tokenize postgres_runs
    export bin kind rows input
    # A server tuned as a small production one would be: more shared buffers, durable commits.
    TOKENVAULT_POSTGRES_OPTIONS="-c shared_buffers=1GB -c max_wal_size=4GB" scripts/with-postgres.sh bash -c postgres_runs
    exit 0 ;;
  scale)
    scale_runs
    exit 0 ;;
  *)
    echo "unknown mode $mode (real, dry-run, format-preserving, postgres, scale)" >&2
    exit 64 ;;
esac
echo "vault: $(du -h bench/vault.db | cut -f1)"
