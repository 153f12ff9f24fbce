#!/usr/bin/env bash
# The benchmark: generates a 1,000,000-row gzip file (5% repeats, 2% invalid rows), runs the
# release build on it into a fresh vault, and prints rows/s, peak RSS and the per-stage split.
#   scripts/benchmark.sh [card|bank-account] [rows] [mode]
# Modes:
#   real               (default) one run into a fresh vault
#   dry-run            a dry run into the fresh vault, the real run, then a dry run of the same
#                      file again (every instrument now existing): the three timings in turn
#   format-preserving  one run into a fresh vault made with --token-format format-preserving
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-card}"
rows="${2:-1000000}"
mode="${3:-real}"
scripts/install-system-packages.sh
swift build -c release >/dev/null
bin=.build/release/tokenvault
mkdir -p bench
input="bench/$kind-$rows.csv.gz"
[ -f "$input" ] || "$bin" sample --kind "$kind" --rows "$rows" --seed 42 --repeat-percent 5 --invalid-percent 2 --out "$input"
rm -rf bench/vault.db bench/vault.db-* bench/vault.db.key bench/out
echo "input: $input ($(du -h "$input" | cut -f1)), $(nproc) cores, mode $mode"
tokenize() {
  echo "$1:"
  shift
  "$bin" tokenize --kind "$kind" "$input" --vault bench/vault.db --out bench/out --timings --quiet --no-progress "$@" 2>&1 \
    | grep -E '^(timings|stage)'
}
case "$mode" in
  real)
    tokenize "real run" --job-id bench --create-vault ;;
  dry-run)
    "$bin" init --vault bench/vault.db --quiet 2>/dev/null
    tokenize "dry run, fresh vault" --job-id bench-dry --dry-run
    tokenize "real run" --job-id bench
    tokenize "dry run, every instrument existing" --job-id bench-dry-again --dry-run ;;
  format-preserving)
    "$bin" init --vault bench/vault.db --token-format format-preserving --quiet 2>/dev/null
    tokenize "real run, format-preserving tokens" --job-id bench ;;
  *)
    echo "unknown mode $mode (real, dry-run, format-preserving)" >&2
    exit 64 ;;
esac
echo "vault: $(du -h bench/vault.db | cut -f1)"
