#!/usr/bin/env bash
# Installs the toolchain for the real-VS-Code e2e tests, once, into test/e2e/.cache/.
# Re-running when everything is in place returns in well under 2 s (a marker file is checked).
# Why this is manual: code-server's own postinstall downloads ripgrep from GitHub, which is
# unreachable here; see /work/shared/notes/vscode-e2e.md for the steps reproduced below.
# Works as root on a fresh Debian machine, non-interactively (used by .ci/run).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="$REPO_ROOT/test/e2e/.cache"
INSTALL_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"
MARKER="$INSTALL_DIR/.setup-complete"
APT_PACKAGES=(ripgrep chromium libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev build-essential python3)

started_at_ms=$(( $(date +%s%N) / 1000000 ))
log() { echo "e2e-setup: $*"; }

# --- Debian packages (skipped when all are installed) -----------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
fi

# --- playwright-core must come from the project's node_modules ---------------------------------
if [[ ! -f "$REPO_ROOT/node_modules/playwright-core/package.json" ]]; then
  echo "e2e-setup: node_modules/playwright-core is missing; run 'npm ci' first" >&2
  exit 1
fi

# --- code-server, cached -----------------------------------------------------------------------
if [[ -f "$MARKER" ]]; then
  log "code-server $CODE_SERVER_VERSION already installed in ${INSTALL_DIR#$REPO_ROOT/}"
  exit 0
fi

log "installing code-server $CODE_SERVER_VERSION into ${INSTALL_DIR#$REPO_ROOT/} (about a minute)"
rm -rf "$INSTALL_DIR"
mkdir -p "$INSTALL_DIR"
cd "$INSTALL_DIR"
# A private package.json keeps npm from walking up to the repository's own package.json.
echo '{ "name": "iptables-lens-e2e-code-server", "private": true }' > package.json
# The user's ~/.npmrc may say yes=false; these steps never prompt but npx-style rebuilds might.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel=error
# Native rebuilds (node-gyp) would download node headers from nodejs.org, which is unreachable;
# the nodejs package ships them in /usr/include/node.
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]] && ! npm config get nodedir 2>/dev/null | grep -q /; then
  export npm_config_nodedir=/usr
fi

npm install --no-save --ignore-scripts "code-server@$CODE_SERVER_VERSION"
npm rebuild argon2

CS="$INSTALL_DIR/node_modules/code-server"
VSCODE="$CS/lib/vscode"
# What code-server's ci/build/npm-postinstall.sh does, minus the GitHub download of ripgrep.
(
  cd "$VSCODE"
  npm install --omit=dev --ignore-scripts
  npm rebuild kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog
  npm rebuild node-pty
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
  rm -rf node_modules.asar
  ln -s node_modules node_modules.asar
  ln -sf code-linux.sh bin/remote-cli/code-server
  ln -sf browser-linux.sh bin/helpers/browser.sh
)
(
  cd "$VSCODE/extensions"
  npm install --omit=dev --ignore-scripts
  node postinstall.mjs > /dev/null  # lists every file it prunes
)

# Check the native module that matters for terminals really built.
if ! find "$VSCODE/node_modules/node-pty" -name pty.node | grep -q .; then
  echo "e2e-setup: node-pty did not build (pty.node missing)" >&2
  exit 1
fi

echo "$CODE_SERVER_VERSION" > "$MARKER"
elapsed_ms=$(( $(date +%s%N) / 1000000 - started_at_ms ))
log "done in $((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000)))s"
