#!/usr/bin/env bash
# The CPU benchmark against its peers (tools/bench). Besides what the tests need, it installs
# Debian's PyTorch and OpenBLAS: python3-torch otherwise runs on the reference BLAS, 15-50x slower.
set -euo pipefail
cd "$(dirname "$0")/.."
CELLGRAPH_APT_PACKAGES="python3-torch libopenblas0-pthread ${CELLGRAPH_APT_PACKAGES:-}" bash scripts/setup.sh
exec pnpm --filter @cellgraph/bench bench "$@"
