#!/usr/bin/env bash
# Sets up a fresh machine (system libraries, release build) and tokenizes the sample cards into a
# new demo vault, printing the run's summary. Safe to run again: each run starts a fresh demo vault.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release
bin=.build/release/tokenvault
rm -rf demo && mkdir -p demo
"$bin" tokenize --kind card samples/cards.csv.gz --vault demo/vault.db --out demo/out --job-id sample-cards
"$bin" tokenize --kind bank-account samples/bank-accounts.csv.gz --vault demo/vault.db --out demo/out --job-id sample-bank-accounts
echo
echo "Outputs are in demo/out; the demo vault is demo/vault.db (key demo/vault.db.key)."
