#!/usr/bin/env bash
# Installs what cellgraph needs on a fresh Debian machine (idempotent), then builds every package.
# Used by scripts/main.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

PNPM_VERSION=12.4.2
# chromium ships SwiftShader's Vulkan driver (WebGPU tests without a GPU, in Node and headless Chromium);
# libvulkan1 is the Vulkan loader Dawn opens.
APT_PACKAGES=(chromium libvulkan1 ${CELLGRAPH_APT_PACKAGES:-})

missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing apt packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION"
fi

pnpm install --frozen-lockfile --reporter=silent
pnpm turbo run build --output-logs=errors-only
