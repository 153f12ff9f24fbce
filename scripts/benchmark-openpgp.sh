#!/usr/bin/env bash
# The OpenPGP benchmark: the same 1,000,000-row card file tokenized clear (gzip), as an OpenPGP
# message holding the gzip file, and as an OpenPGP message holding the CSV (compressed by gpg),
# each into a fresh vault with the release build; then gpg's own decryption time for each.
# Keys are throwaway (Curve25519) in a temporary GnuPG home, removed at the end.
#   scripts/benchmark-openpgp.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
scripts/install-system-packages.sh
swift build -c release >/dev/null
bin=.build/release/tokenvault
mkdir -p bench
clear="bench/card-$rows.csv.gz"
[ -f "$clear" ] || "$bin" sample --kind card --rows "$rows" --seed 42 --repeat-percent 5 --invalid-percent 2 --out "$clear"
export GNUPGHOME="$(mktemp -d /tmp/tv-bench-gpg.XXXXXX)"
trap 'gpgconf --kill all; rm -rf "$GNUPGHOME"' EXIT
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bench <bench@test.invalid>' future-default default never
gpg --batch --quiet --trust-model always -e -r bench@test.invalid -o bench/card.csv.gz.gpg --yes "$clear"
gzip -dc "$clear" | gpg --batch --quiet --trust-model always -e -r bench@test.invalid -o bench/card.csv.gpg --yes
echo "$rows rows, $(nproc) cores; clear $(du -h "$clear" | cut -f1), .csv.gz.gpg $(du -h bench/card.csv.gz.gpg | cut -f1), .csv.gpg $(du -h bench/card.csv.gpg | cut -f1)"
# Wall time, CPU seconds of tokenvault and its children (gpg) together, and peak RSS.
for input in "$clear" bench/card.csv.gz.gpg bench/card.csv.gpg; do
  rm -rf bench/vault.db bench/vault.db-* bench/vault.db.key bench/out
  "$bin" init --vault bench/vault.db >/dev/null 2>&1
  read -r real user sys rss < <(/usr/bin/time -f '%e %U %S %M' "$bin" tokenize --kind card --format csv "$input" \
      --vault bench/vault.db --out bench/out --job-id bench --quiet --no-progress 2>&1 >/dev/null | tail -1)
  echo "$input: $(echo "$rows / $real" | bc) rows/s, wall ${real} s, CPU $(echo "$user + $sys" | bc) s, peak RSS $((rss / 1024)) MB"
done
TIMEFORMAT='%R %U %S'
for input in bench/card.csv.gz.gpg bench/card.csv.gpg; do
  read -r real user sys < <( { time gpg --batch --quiet -d "$input" >/dev/null 2>&1; } 2>&1 )
  echo "gpg -d $input alone: wall ${real} s, CPU $(echo "$user + $sys" | bc) s"
done
