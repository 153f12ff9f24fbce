#!/usr/bin/env bash
# Installs tokenvault's man page and shell completions, both generated from the command
# definitions (swift-argument-parser): the man page by its generate-manual plugin, the
# completions by `tokenvault --generate-completion-script`.
#
# Where: $TOKENVAULT_PREFIX if set; else /usr/local when run as root; else ./demo (a local
# prefix: demo/share/man/man1, demo/share/bash-completion/completions, ...).
# Needs the release build (`swift build -c release`). Never fails the set-up: a step that
# cannot run says so and is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/tokenvault
if [ -n "${TOKENVAULT_PREFIX:-}" ]; then prefix=$TOKENVAULT_PREFIX
elif [ "$(id -u)" = 0 ]; then prefix=/usr/local
else prefix=demo
fi
share="$prefix/share"
mkdir -p "$share/man/man1" "$share/bash-completion/completions" "$share/zsh/site-functions" "$share/fish/vendor_completions.d"

"$bin" --generate-completion-script bash > "$share/bash-completion/completions/tokenvault"
"$bin" --generate-completion-script zsh > "$share/zsh/site-functions/_tokenvault"
"$bin" --generate-completion-script fish > "$share/fish/vendor_completions.d/tokenvault.fish"

if swift package plugin generate-manual > .build/generate-manual.log 2>&1; then
    page=$(find .build/plugins -path '*GenerateManual*' -name tokenvault.1 | head -n 1)
    install -m 0644 "$page" "$share/man/man1/tokenvault.1"
    echo "Man page: $share/man/man1/tokenvault.1 (man -M $share/man tokenvault)"
else
    echo "warning: the man page could not be generated (see .build/generate-manual.log)" >&2
fi
echo "Completions: $share/bash-completion/completions/tokenvault, $share/zsh/site-functions/_tokenvault, $share/fish/vendor_completions.d/tokenvault.fish"
