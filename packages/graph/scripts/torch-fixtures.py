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

# Layer options: bidirectional stacks, per-sequence lengths (packed sequences), batch_first.
options = {}
pack = torch.nn.utils.rnn.pack_padded_sequence
unpack = torch.nn.utils.rnn.pad_packed_sequence
for name, cls, layers, bidirectional, lengths, batch_first in [
    ("lstm", torch.nn.LSTM, 2, True, [5, 2, 4], False),
    ("gru", torch.nn.GRU, 2, True, [3, 5, 1], False),
    ("rnn", torch.nn.RNN, 1, True, None, False),
    ("gru", torch.nn.GRU, 1, False, [4, 5, 2], True),
]:
    module = cls(I, H, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first).double()
    for p in module.parameters():
        torch.nn.init.uniform_(p, -0.8, 0.8)
    dirs = 2 if bidirectional else 1
    x = torch.randn(T, B, I, dtype=torch.float64) * 1.5
    h0 = torch.randn(layers * dirs, B, H, dtype=torch.float64) * 0.5
    c0 = torch.randn(layers * dirs, B, H, dtype=torch.float64) * 0.5
    fed = x.transpose(0, 1).contiguous() if batch_first else x
    if lengths is not None:
        fed = pack(fed, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
    y, state = module(fed, (h0, c0) if name == "lstm" else h0)
    if lengths is not None:
        y, _ = unpack(y, batch_first=batch_first, total_length=T)
    hn, cn = state if name == "lstm" else (state, None)
    key = f"{name}_l{layers}{'_bi' if bidirectional else ''}{'_lengths' if lengths else ''}{'_bf' if batch_first else ''}"
    options[key] = {
        "cell": name,
        "layers": layers,
        "bidirectional": bidirectional,
        "batchFirst": batch_first,
        **({"lengths": lengths} if lengths is not None else {}),
        "sizes": {"T": T, "B": B, "input": I, "hidden": H},
        "weights": {k: tensor(v) for k, v in module.state_dict().items()},
        "x": tensor(fed if lengths is None else (x.transpose(0, 1) if batch_first else x)),
        "y": tensor(y),
        "h0": tensor(h0),
        "hn": tensor(hn),
        **({"c0": tensor(c0), "cn": tensor(cn)} if name == "lstm" else {}),
    }

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-cells.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "options": options}, f)
print(f"wrote {out} (torch {torch.__version__})")
