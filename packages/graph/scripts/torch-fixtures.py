"""Generates test/fixtures/torch-cells.json: PyTorch's nn.RNN, nn.LSTM and nn.GRU run in float64
on seeded weights and inputs. Run with Debian's python3-torch: /usr/bin/python3 scripts/torch-fixtures.py
The tests load the weights through cellgraph's PyTorch layout and compare outputs, so they do not
need PyTorch installed."""
import json
import os

import torch

torch.manual_seed(20261125)
T, B, I, H = 5, 3, 4, 6


def tensor(t):
    return {"dims": list(t.shape), "data": t.detach().reshape(-1).tolist()}


cases = {}
for name, cls in [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)]:
    for layers in (1, 2):
        module = cls(I, H, num_layers=layers).double()
        for p in module.parameters():  # wider than the default init, so gates leave their linear range
            torch.nn.init.uniform_(p, -0.8, 0.8)
        x = torch.randn(T, B, I, dtype=torch.float64) * 1.5
        h0 = torch.randn(layers, B, H, dtype=torch.float64) * 0.5
        if name == "lstm":
            c0 = torch.randn(layers, B, H, dtype=torch.float64) * 0.5
            y, (hn, cn) = module(x, (h0, c0))
            state = {"h0": tensor(h0), "c0": tensor(c0), "hn": tensor(hn), "cn": tensor(cn)}
        else:
            y, hn = module(x, h0)
            state = {"h0": tensor(h0), "hn": tensor(hn)}
        cases[f"{name}_l{layers}"] = {
            "cell": name,
            "layers": layers,
            "sizes": {"T": T, "B": B, "input": I, "hidden": H},
            "weights": {k: tensor(v) for k, v in module.state_dict().items()},
            "x": tensor(x),
            "y": tensor(y),
            **state,
        }

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-cells.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print(f"wrote {out} (torch {torch.__version__})")
