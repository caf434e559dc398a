"""Generates test/fixtures/torch/: PyTorch state_dicts saved as safetensors (F32, F64, F16, BF16)
and the outputs PyTorch computes from them. Run with Debian's python3-torch:
/usr/bin/python3 scripts/torch-fixtures.py
The safetensors files are written here byte by byte (the format is an 8-byte header length, a JSON
header and raw little-endian data), so the script needs only torch. The tests load the files with
cellgraph and compare its outputs with PyTorch's; they do not need PyTorch installed."""
import json
import os
import struct

import torch

torch.manual_seed(20261205)
T, B, I, H = 5, 2, 3, 4
OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch")
os.makedirs(OUT, exist_ok=True)


def raw(t, dtype):
    if dtype == "F32":
        return t.float().numpy().tobytes()
    if dtype == "F64":
        return t.double().numpy().tobytes()
    if dtype == "F16":
        return t.half().numpy().tobytes()
    return t.bfloat16().view(torch.int16).numpy().tobytes()  # BF16: numpy has no bfloat16


def rounded(t, dtype):
    """The values a file of this dtype holds, back in float64."""
    cast = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}[dtype]
    return t.to(cast).double()


def save_safetensors(path, tensors, dtype):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = raw(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


def tensor(t):
    return {"dims": list(t.shape), "data": t.detach().reshape(-1).tolist()}


cases = {}


def add_case(name, cls, layers, bidirectional, bias, batch_first, lengths, dtype):
    module = cls(I, H, num_layers=layers, bidirectional=bidirectional, bias=bias, batch_first=batch_first)
    for p in module.parameters():
        torch.nn.init.uniform_(p, -0.8, 0.8)
    state = module.state_dict()
    key = f"{name}_l{layers}{'_bi' if bidirectional else ''}{'' if bias else '_nobias'}{'_bf' if batch_first else ''}_{dtype.lower()}"
    save_safetensors(os.path.join(OUT, f"{key}.safetensors"), state, dtype)
    # PyTorch's outputs in float64 from exactly the values the file holds
    module = module.double()
    module.load_state_dict({k: rounded(v, dtype) for k, v in state.items()})
    dirs = 2 if bidirectional else 1
    x = (torch.randn(B, T, I) if batch_first else torch.randn(T, B, I)).float().double()
    h0 = torch.randn(layers * dirs, B, H).float().double() * 0.5
    c0 = torch.randn(layers * dirs, B, H).float().double() * 0.5
    fed = x if lengths is None else torch.nn.utils.rnn.pack_padded_sequence(
        x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False
    )
    with torch.no_grad():
        y, final = module(fed, (h0, c0) if name == "lstm" else h0)
    if lengths is not None:
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(y, batch_first=batch_first, total_length=T)
    hn, cn = final if name == "lstm" else (final, None)
    cases[key] = {
        "file": f"{key}.safetensors",
        "module": {"cell": name, "layers": layers, "bidirectional": bidirectional, "bias": bias, "batchFirst": batch_first},
        "dtype": dtype,
        **({"lengths": lengths} if lengths is not None else {}),
        "x": tensor(x),
        "h0": tensor(h0),
        "y": tensor(y),
        "hn": tensor(hn),
        **({"c0": tensor(c0), "cn": tensor(cn)} if name == "lstm" else {}),
    }


for args in [
    ("lstm", torch.nn.LSTM, 2, True, True, False, [5, 3], "F32"),
    ("gru", torch.nn.GRU, 1, False, False, True, None, "F16"),
    ("rnn", torch.nn.RNN, 2, False, True, False, [2, 5], "BF16"),
    ("lstm", torch.nn.LSTM, 1, False, True, False, None, "F64"),
    ("gru", torch.nn.GRU, 2, True, True, True, [4, 5], "F32"),
    ("rnn_relu", lambda *a, **k: torch.nn.RNN(*a, nonlinearity="relu", **k), 2, True, True, False, [3, 5], "F32"),
]:
    add_case(*args)

# ONNX files written by PyTorch's own exporter (torch.onnx.export, opset 14), with PyTorch's outputs:
# an LSTM with default (zero) initial states, and a two-layer bidirectional GRU whose initial
# state is one [layers*2, B, H] input that the exporter slices per layer (and, below, an LSTM
# without biases).
exported = {}


def add_export(key, module, with_state):
    for p in module.parameters():
        torch.nn.init.uniform_(p, -0.8, 0.8)
    x = torch.randn(T, B, I)
    h0 = torch.randn(4, B, H) * 0.5
    args = (x, h0) if with_state else (x,)
    names = ["x", "h0"] if with_state else ["x"]
    outputs = ["y", "h"] if with_state else ["y", "h", "c"]
    axes = {"x": {0: "T", 1: "B"}, **({"h0": {1: "B"}} if with_state else {})}
    path = os.path.join(OUT, f"{key}.onnx")
    torch.onnx.export(module, args, path, input_names=names, output_names=outputs, dynamic_axes=axes, opset_version=14)
    with torch.no_grad():
        y, final = module(*args)
    finals = list(final) if isinstance(final, tuple) else [final]
    exported[key] = {
        "file": f"{key}.onnx",
        "inputs": {n: tensor(a) for n, a in zip(names, args)},
        "outputs": {n: tensor(v) for n, v in zip(outputs, [y, *finals])},
    }


for args in [
    ("lstm_torch", torch.nn.LSTM(I, H), False),
    ("gru_l2_bi_torch", torch.nn.GRU(I, H, num_layers=2, bidirectional=True), True),
]:
    add_export(*args)

# Modules without biases (bias=False), drawn from a seed of their own so the files above keep their
# values. The one-layer LSTM is the one the interop README fine-tunes.
torch.manual_seed(20261207)
for args in [
    ("lstm", torch.nn.LSTM, 1, False, False, False, None, "F32"),
    ("lstm", torch.nn.LSTM, 2, True, False, False, [4, 5], "F64"),
    ("gru", torch.nn.GRU, 2, False, False, False, None, "F32"),
    ("rnn", torch.nn.RNN, 2, True, False, False, None, "F32"),
]:
    add_case(*args)
# torch.onnx.export of an LSTM without biases
add_export("lstm_nobias_torch", torch.nn.LSTM(I, H, bias=False), False)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    kinds = {"F32": torch.float32, "F64": torch.float64}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        raw_bytes = bytearray(data[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(raw_bytes, dtype=kinds[t["dtype"]]).reshape(t["shape"]).clone()
    return out


# The LSTM above after the interop README's fine-tune in cellgraph, saved by saveTorchStateDict
# (examples/noBias.ts writes it; run this script again after it). PyTorch loads it strictly into
# nn.LSTM(bias=False) and gives its outputs, which the tests compare with cellgraph's.
FINETUNED = "lstm_l1_nobias_finetuned_f32.safetensors"
finetuned = None
if os.path.exists(os.path.join(OUT, FINETUNED)):
    gen = torch.Generator().manual_seed(20261208)
    module = torch.nn.LSTM(I, H, bias=False).double()
    module.load_state_dict({k: v.double() for k, v in load_safetensors(os.path.join(OUT, FINETUNED)).items()})
    x = torch.randn(T, B, I, generator=gen).double()
    h0 = torch.randn(1, B, H, generator=gen).double() * 0.5
    c0 = torch.randn(1, B, H, generator=gen).double() * 0.5
    with torch.no_grad():
        y, (hn, cn) = module(x, (h0, c0))
    finetuned = {"file": FINETUNED, "x": tensor(x), "h0": tensor(h0), "c0": tensor(c0), "y": tensor(y), "hn": tensor(hn), "cn": tensor(cn)}

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(
        {"torch": torch.__version__, "sizes": {"T": T, "B": B, "input": I, "hidden": H}, "cases": cases, "onnx": exported, "finetuned": finetuned},
        f,
    )
print(f"wrote {len(cases)} cases to {OUT} (torch {torch.__version__})")
