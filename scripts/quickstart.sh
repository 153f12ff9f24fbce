#!/usr/bin/env bash
# Sets up a fresh machine (system libraries, release build), runs the example jobs of jobs/ on the
# sample files into a new demo vault and prints the reconciliation report. Each run starts afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release
bin=.build/release/tokenvault
rm -rf demo
# The man page and shell completions (demo/share/... unless root: /usr/local/share/...).
scripts/install-manual-and-completions.sh
# The example jobs (jobs/*.json) run against samples/ into demo/vault.db, created here first:
# no command creates a vault by accident (SPEC §10).
"$bin" init --vault demo/vault.db
"$bin" run jobs/nightly-cards.json
"$bin" run jobs/nightly-bank-accounts.json
"$bin" run jobs/migration-from-provider.json
"$bin" run jobs/migration-with-ids.json --dry-run
"$bin" run jobs/migration-with-ids.json
echo
"$bin" report --vault demo/vault.db
echo
echo "Outputs are in demo/out; the demo vault is demo/vault.db (its key, for the demo only: demo/vault.db.key)."
