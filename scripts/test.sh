#!/usr/bin/env bash
# Every check CI runs: lint, types, and all test suites (README, second command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1
pnpm lint
pnpm turbo run typecheck test --concurrency=1 --output-logs=new-only
