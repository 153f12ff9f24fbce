#!/usr/bin/env bash
# The benchmark: generates a 1,000,000-row gzip file (5% repeats, 2% invalid rows), runs the
# release build on it into a fresh vault, and prints rows/s, peak RSS and the per-stage split.
#   scripts/benchmark.sh [card|bank-account] [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-card}"
rows="${2:-1000000}"
scripts/install-system-packages.sh
swift build -c release >/dev/null
bin=.build/release/tokenvault
mkdir -p bench
input="bench/$kind-$rows.csv.gz"
[ -f "$input" ] || "$bin" sample --kind "$kind" --rows "$rows" --seed 42 --repeat-percent 5 --invalid-percent 2 --out "$input"
rm -rf bench/vault.db bench/vault.db-* bench/vault.db.key bench/out
echo "input: $input ($(du -h "$input" | cut -f1)), $(nproc) cores"
"$bin" tokenize --kind "$kind" "$input" --vault bench/vault.db --create-vault --out bench/out --job-id bench --timings --quiet --no-progress 2>&1 \
  | grep -E '^(timings|stage)'
echo "vault: $(du -h bench/vault.db | cut -f1)"
