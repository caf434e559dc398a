#!/usr/bin/env bash
# The main job on its built-in default (README, first command): trains a character-level LSTM
# language model on the built-in corpus, then reports held-out bits per character and a sample.
# Extra arguments go to `cellgraph train` (see `node apps/cli/dist/main.js train --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node apps/cli/dist/main.js train "$@"
