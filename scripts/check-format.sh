#!/usr/bin/env bash
# Checks the code against .swift-format (4-space indents, 140 columns, the rules the code
# follows) with the toolchain's `swift format`. Prints findings; with --strict, any finding
# fails (exit 1), as in CI. To fix them:
#   swift format format --in-place --recursive Sources Tests Plugins Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
if ! swift format --version > /dev/null 2>&1; then
    echo "swift format is not in this toolchain; skipping the format check" >&2
    exit 0
fi
strict=()
if [ "${1:-}" = "--strict" ]; then strict=(--strict); fi
findings=$(swift format lint "${strict[@]}" --recursive Sources Tests Plugins Package.swift 2>&1) || status=$?
if [ -n "$findings" ]; then
    printf '%s\n' "$findings" | tail -n 40
    echo "swift format: $(printf '%s\n' "$findings" | grep -c 'warning:') findings (last 40 shown)"
fi
exit "${status:-0}"
