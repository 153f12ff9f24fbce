#!/usr/bin/env bash
# Regenerates samples/ with the project's own sample command (same seed, same bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
bin=.build/release/tokenvault
for format in csv jsonl; do
  "$bin" sample --kind card --rows 3000 --seed 1 --out "samples/cards.$format.gz"
  "$bin" sample --kind bank-account --rows 3000 --seed 1 --out "samples/bank-accounts.$format.gz"
done
"$bin" sample --kind card --rows 2000 --seed 2 --layout provider-export --out samples/provider-export-cards.csv.gz
"$bin" sample --kind card --rows 2000 --seed 3 --layout migration --out samples/migration-cards.csv.gz
