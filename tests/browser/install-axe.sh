#!/usr/bin/env bash
# Installs axe-core (the accessibility rules engine the browser tests inject into each page)
# from npm into a cache outside the repository, pinned to the version in AXE_VERSION beside
# this script. Does nothing when that version is already there.
#
#   ACCOLADE_AXE_DIR   cache directory (default ~/.cache/accolade/axe); the browser tests read
#                      $ACCOLADE_AXE_DIR/axe-core-<version>/axe.min.js
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(tr -d '[:space:]' < "$here/AXE_VERSION")"
dir="${ACCOLADE_AXE_DIR:-$HOME/.cache/accolade/axe}"
dest="$dir/axe-core-$version"
if [ -s "$dest/axe.min.js" ]; then
  echo "axe-core $version: $dest/axe.min.js"
  exit 0
fi
command -v npm >/dev/null || { echo "install-axe.sh needs npm (apt-get install -y npm)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# --ignore-scripts: nothing from the package runs here; we only need its built file.
npm install --prefix "$tmp" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
  "axe-core@$version" >/dev/null
mkdir -p "$dest"
cp "$tmp/node_modules/axe-core/axe.min.js" "$tmp/node_modules/axe-core/LICENSE" "$dest/"
echo "axe-core $version installed: $dest/axe.min.js"
