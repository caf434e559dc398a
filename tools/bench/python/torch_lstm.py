"""PyTorch's nn.LSTM on the CPU, timed for the cellgraph bench.

Usage: python3 torch_lstm.py META.json. META names a float32 file and, for each array, its offset
and shape: weights in nn.LSTM's layout, the check case and the input of every run (time-major).
Prints one JSON object: {"unavailable": why} when torch cannot be imported, else the check loss
and the times of every run. Refuses to time (exit 3) when the check loss disagrees with the
float64 reference the bench passed in.
"""

import json
import sys
import time


def blas_library():
    """Which BLAS this process loaded (Debian's python3-torch uses whatever libblas.so.3 points to)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown BLAS"
    if any("openblas" in p for p in paths):
        return "OpenBLAS"
    if any("blis" in p for p in paths):
        return "BLIS"
    if any("/blas/libblas.so" in p for p in paths):
        return "reference BLAS"
    return "unknown BLAS"


def steps_within_budget(meta, run):
    """The bench's rule: two probe runs on minSteps steps; halve the steps while the timed runs
    would take longer than the budget, down to minSteps."""
    steps, budget, least = meta["steps"], meta.get("budgetMs"), min(meta.get("minSteps", meta["steps"]), meta["steps"])
    if budget is None or least == steps:
        return steps
    run(least)
    start = time.perf_counter()
    run(least)
    per_step = (time.perf_counter() - start) * 1000 / least
    while steps > least and per_step * steps * meta["reps"] > budget:
        steps = max(least, steps // 2)
    return steps


def main():
    meta = json.load(open(sys.argv[1]))
    try:
        import numpy as np
        import torch
    except ImportError as error:
        print(json.dumps({"unavailable": "not installed (%s)" % error}))
        return 0
    data = np.fromfile(meta["data"], dtype=np.float32)

    def array(name):
        offset, shape = meta["arrays"][name]
        count = int(np.prod(shape))
        return torch.from_numpy(data[offset : offset + count].reshape(shape).copy())

    config = meta["config"]
    lstm = torch.nn.LSTM(config["input"], config["hidden"])  # time-major, zero initial state
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(lstm, name + "_l0").copy_(array(name))

    check = meta["check"]
    with torch.no_grad():
        y, _ = lstm(array("check_x"))
        loss = float((y * array("check_R")).sum())
    relative = abs(loss - check["loss"]) / check["scale"]
    if not relative <= check["tolerance"]:
        print(json.dumps({"checkLoss": loss, "mismatch": relative}))
        return 3

    blas = blas_library()  # after the first product, so the library is loaded
    optimizer = torch.optim.SGD(lstm.parameters(), lr=meta["learningRate"])
    target = array("R")

    def train(x):
        optimizer.zero_grad()
        out, _ = lstm(x)
        (out * target[: x.shape[0]]).sum().backward()
        optimizer.step()

    def infer(x):
        with torch.no_grad():
            lstm(x)

    inputs = [array("x%d" % k) for k in range(meta["warmup"] + meta["reps"])]
    results = []
    for threads in meta["threads"]:
        torch.set_num_threads(threads)
        for mode in meta["modes"]:
            step = train if mode == "train" else infer
            steps = steps_within_budget(meta, lambda n: step(inputs[0][:n]))
            for k in range(meta["warmup"]):
                step(inputs[k][:steps])
            runs = []
            for k in range(meta["warmup"], meta["warmup"] + meta["reps"]):
                start = time.perf_counter()
                step(torch.from_numpy(inputs[k][:steps].numpy()))
                runs.append((time.perf_counter() - start) * 1000)
            results.append({"threads": threads, "mode": mode, "steps": steps, "runsMs": runs})
    print(json.dumps({"checkLoss": loss, "torch": torch.__version__, "blas": blas, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
