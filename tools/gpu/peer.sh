#!/usr/bin/env bash
# Runs a PyTorch peer script (python/) where PyTorch has CUDA; otherwise says why it is skipped.
here=$(cd "$(dirname "$0")" && pwd)
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  exec python3 "$here/python/$1"
fi
echo "skipped: no PyTorch with CUDA here ($(python3 -c 'import torch; print("torch", torch.__version__, "without CUDA")' 2>/dev/null || echo 'python3 has no torch'))"
