#!/usr/bin/env bash
# The main job on its built-in default (README, first command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node apps/cli/dist/main.js demo "$@"
