#!/usr/bin/env bash
# The GPU machine's side of the kit: one call measures everything issue 14 asks (see README.md).
#   bash tools/gpu/device.sh             on the lent machine, with .gpu/ carried (prepare-kit)
#   bash tools/gpu/device.sh --dry-run   here, on SwiftShader, small sizes, this machine's node
# GPUKIT_DIR names another kit folder than .gpu; OUT the results' folder (the device sets it).
# Each step runs under its own timeout inside one overall budget (GPUKIT_BUDGET seconds, default
# 540: the device call's limit is 600); after each, the results so far are packed into $OUT
# (summary.md, results.tgz; log.txt as it goes), so a step cut off leaves everything before it.
set -u
dry=0
[ "${1:-}" = --dry-run ] && dry=1
root=$(cd "$(dirname "$0")/../.." && pwd)
kit=${GPUKIT_DIR:-$root/.gpu}
OUT=${OUT:-/tmp/gpukit-out}
budget=${GPUKIT_BUDGET:-540}
started=$(date +%s)
work=$(mktemp -d /tmp/gpukit.XXXXXX)
ckpt=$(mktemp -d /tmp/gpukit-ckpt.XXXXXX)
trap 'rm -rf "$work" "$ckpt"' EXIT # everything is packed into $OUT
mkdir -p "$OUT" "$work/sweep"
exec > >(tee -a "$OUT/log.txt") 2>&1

say() { echo "== $*"; }
fail() { say "$*"; exit 1; }
[ -f "$kit/kit.mjs" ] || fail ".gpu/kit.mjs is missing: run 'pnpm --filter @cellgraph/gpu-kit prepare-kit' first and carry .gpu"

# --- the machine: node, Dawn, the Vulkan loader and driver
if [ $dry = 1 ]; then
  node=$(command -v node)
  export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}
else
  for f in "$kit"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
  xz -dc "$kit/node.xz" >/tmp/node && chmod +x /tmp/node
  node=/tmp/node
  nvidia=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$nvidia" ] && export VK_ICD_FILENAMES=$nvidia VK_DRIVER_FILES=$nvidia
fi
addon=$kit/node_modules/webgpu/dist/linux-x64/dawn.node
[ $dry = 0 ] && [ -L "$addon" ] && rm -f "$addon" # a dry run's link to this machine's copy
[ -e "$addon" ] || xz -dc "$kit/dawn.node.xz" >"$addon" || fail "Dawn's addon is missing from .gpu"
export PYTHONUNBUFFERED=1 TURBO_TELEMETRY_DISABLED=1
say "node $($node --version), VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}, dry run: $dry, budget ${budget}s"

# --- sizes: the issue's on a GPU; the smallest that exercise every step in a dry run
# (GPUKIT_QUICK=1 with --dry-run, for the test: two conformance cases, one sweep setting)
sweeps=100
if [ $dry = 1 ]; then
  configs=small; reps=(--reps 1 --warmup 1); sweep_config=small; conformance=(--small)
  [ "${GPUKIT_QUICK:-0}" = 1 ] && conformance+=(--limit 2) && sweeps=1
  train_gpu=(--hidden 32 --batch 4 --steps 4); train_cpu=(--hidden 32 --batch 4 --steps 4)
else
  configs=small,medium,large; reps=(--reps 10 --warmup 3); sweep_config=medium; conformance=()
  train_gpu=(--hidden 1024 --batch 256 --steps 12); train_cpu=(--hidden 1024 --batch 256 --steps 4)
fi

# Packs what the steps left: summary.md and results.tgz in $OUT (the device returns at most 8 files).
pack() {
  "$node" "$kit/kit.mjs" summary "$work" >/dev/null 2>&1 && cp "$work/summary.md" "$OUT/summary.md"
  tar czf "$OUT/results.tgz" -C "$work" .
}

# step NAME SECONDS COMMAND...: runs it into $work/NAME.txt (and the log), within the budget.
step() {
  local name=$1 limit=$2
  shift 2
  local left=$((budget - ($(date +%s) - started) - 15))
  if [ $left -lt 10 ]; then
    echo "$name skipped: budget spent" >>"$work/steps.txt"
    say "$name skipped: the budget is spent"
    return
  fi
  [ $limit -gt $left ] && limit=$left
  say "$name (at most ${limit}s)"
  local t0=$(date +%s)
  timeout -k 5 "$limit" "$@" </dev/null 2>&1 | tee "$work/$name.txt"
  local rc=${PIPESTATUS[0]}
  echo "$name $rc $(($(date +%s) - t0))" >>"$work/steps.txt"
  [ "$rc" = 124 ] && say "$name stopped at its ${limit}s limit"
  pack
}

bench=("$node" "$kit/bench.mjs" --engines cellgraph-webgpu --cells layer_norm_lstm)
train=("$node" "$kit/cli.mjs" train --no-eval --sample 0 --save-every 100000)

step adapter 60 "$node" "$kit/kit.mjs" adapter "$work"
step conformance 200 "$node" "$kit/kit.mjs" conformance "$work" "${conformance[@]}"
step bench 200 "${bench[@]}" --configs $configs --cell-configs $configs "${reps[@]}" --budget 60 \
  --profile --json "$work/bench.json"
step torch-cuda 120 bash "$root/tools/gpu/peer.sh" torch_cuda.py
step train-webgpu 120 "${train[@]}" --backend webgpu "${train_gpu[@]}" --checkpoint "$ckpt/webgpu.safetensors"
step train-cpu 90 "${train[@]}" --backend cpu "${train_cpu[@]}" --checkpoint "$ckpt/cpu.safetensors"
step torch-custom 120 bash "$root/tools/gpu/peer.sh" torch_custom.py
# The product-kernel settings (src/sweep.ts); the default already ran in the bench step.
while read -r name setting; do
  step "sweep-$name" 60 env CELLGRAPH_WEBGPU_MATMUL="$setting" "${bench[@]}" --configs $sweep_config \
    --cell-configs $sweep_config "${reps[@]}" --budget 30 --json "$work/sweep/$name.json"
done < <("$node" "$kit/kit.mjs" sweep-list | tail -n +2 | head -n $sweeps)

pack
say "done in $(($(date +%s) - started))s; \$OUT: summary.md, results.tgz, log.txt"
cat "$OUT/summary.md" 2>/dev/null
exec >/dev/null 2>&1 # ends tee's input: it writes the last lines to log.txt and exits
sleep 1
