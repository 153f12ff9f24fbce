#!/usr/bin/env bash
# Renders the HTML reports with headless Chromium (Debian's `chromium`) into docs/:
# docs/report-run.png (one run's J.report.html), docs/report-runs.png (`report --format html`)
# and checks that one run's report prints on at most 4 A4 pages (Chromium's --print-to-pdf,
# counted by poppler's pdfinfo). Uses sample files in a temporary folder; needs a build.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium poppler-utils; }
command -v pdfinfo > /dev/null || apt-get install -y -qq poppler-utils
bin=$(pwd)/${TOKENVAULT_BIN:-.build/debug/tokenvault}
[ -x "$bin" ] || swift build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
    cd "$work"
    "$bin" init --vault vault.db --quiet 2> /dev/null
    mkdir -p incoming
    "$bin" sample --kind card --rows 40000 --seed 7 --invalid-percent 3 --out incoming/cards-2026-12-01.csv.gz
    "$bin" sample --kind card --rows 25000 --seed 8 --repeat-percent 20 --out incoming/cards-2026-12-02.csv.gz
    "$bin" sample --kind bank-account --rows 10000 --seed 9 --out incoming/accounts-2026-12-02.csv.gz
    "$bin" tokenize --kind card --job-id nightly-cards-20261201-1 --quiet --no-progress incoming/cards-2026-12-01.csv.gz
    "$bin" tokenize --kind card --job-id nightly-cards-20261202-1 --quiet --no-progress incoming/cards-2026-12-02.csv.gz
    "$bin" tokenize --kind bank-account --job-id nightly-accounts-20261202-1 --quiet --no-progress incoming/accounts-2026-12-02.csv.gz
    # A run that fails its reject-rate policy, to show a failed run among the others.
    "$bin" tokenize --kind card --job-id strict-cards-20261202-1 --quiet --no-progress --max-reject-rate 0.001 \
        incoming/cards-2026-12-01.csv.gz || true
    "$bin" report --format html --out runs.html
)
shot() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$1" --window-size="$2" "file://$3" 2> /dev/null; }
shot docs/report-run.png 1000,2300 "$work/out/nightly-cards-20261201-1.report.html"
shot docs/report-runs.png 1000,1400 "$work/runs.html"
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$work/run.pdf" \
    "file://$work/out/nightly-cards-20261201-1.report.html" 2> /dev/null
pages=$(pdfinfo "$work/run.pdf" | awk '/^Pages:/ { print $2 }')
size=$(pdfinfo "$work/run.pdf" | awk -F': *' '/^Page size:/ { print $2 }')
echo "One run's report prints on $pages pages ($size)."
[ "$pages" -le 4 ] || { echo "more than 4 A4 pages" >&2; exit 1; }
echo "Wrote docs/report-run.png and docs/report-runs.png."
