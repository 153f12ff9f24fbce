#!/usr/bin/env bash
# The benchmark: generates a 1,000,000-row gzip file (5% repeats, 2% invalid rows), runs the
# release build on it into a fresh vault, and prints rows/s, peak RSS and the per-stage split.
#   scripts/benchmark.sh [card|bank-account] [rows]
# Scale mode (SPEC §8): card rows into a fresh vault (default 10,000,000), with rows/s for each
# million as the vault grows, then the nightly case: 100,000 rows, half of them already in the
# vault, into that vault. Inputs are generated once into bench/ and reused.
#   scripts/benchmark.sh scale [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-card}"
scripts/install-system-packages.sh
swift build -c release >/dev/null
bin=.build/release/tokenvault
mkdir -p bench

# sample KIND ROWS SEED -> the path of a generated input (made once)
sample() {
  local file="bench/$1-$2${3:+-seed$3}.csv.gz"
  [ -f "$file" ] || "$bin" sample --kind "$1" --rows "$2" --seed "${3:-42}" --repeat-percent 5 --invalid-percent 2 --out "$file"
  echo "$file"
}

if [ "$mode" != scale ]; then
  kind="$mode"
  rows="${2:-1000000}"
  input=$(sample "$kind" "$rows")
  rm -rf bench/vault.db bench/vault.db-* bench/vault.db.key bench/out
  echo "input: $input ($(du -h "$input" | cut -f1)), $(nproc) cores"
  "$bin" tokenize --kind "$kind" "$input" --vault bench/vault.db --out bench/out --job-id bench --timings --quiet --no-progress 2>&1 \
    | grep -E '^(timings|stage)'
  echo "vault: $(du -h bench/vault.db | cut -f1)"
  exit 0
fi

rows="${2:-10000000}"
input=$(sample card "$rows")
vault=bench/scale.db
rm -rf "$vault" "$vault"-* "$vault".key bench/scale-out
echo "input: $input ($(du -h "$input" | cut -f1)), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
log="bench/scale-$rows.log"
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
nightly="bench/nightly-100000-from-$rows.csv.gz"
if [ ! -f "$nightly" ]; then
  fresh=$(sample card 50000 4242)
  paste -d '\n' <(zcat "$input" | tail -n +2 | head -n 50000) <(zcat "$fresh" | tail -n +2 | head -n 50000) \
    | cat <(zcat "$input" | head -n 1) - | gzip -1 > "$nightly"
fi
"$bin" tokenize --kind card "$nightly" --vault "$vault" --out bench/scale-out --job-id nightly --timings --quiet --no-progress 2>&1 \
  | grep -E '^(timings|stage)'
python3 -c "import json; c = json.load(open('bench/scale-out/nightly.report.json'))['counts']; print('nightly:', c)"
