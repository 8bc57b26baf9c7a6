"""PyTorch side of the interchange fixtures (test/fixtures/torch/), run with Debian's PyTorch:

  /usr/bin/python3 tools/make_torch_interchange.py   (after node tools/make-tsgrad-weights.mjs)

1. tsgrad -> PyTorch: loads each from_tsgrad_<model>.safetensors into the equivalent torch.nn model
   with load_state_dict(strict=True) (same names, same layouts, or it raises) and records the
   model's outputs on fixed inputs.
2. PyTorch -> tsgrad: seeds and builds LeNet-5 and a batch-norm CNN in PyTorch, runs the batch
   norms in training mode on a few batches, writes their state_dicts (from_torch_<model>.safetensors)
   and their outputs on the same inputs.

Inputs and outputs go to io.safetensors. This Debian has no `safetensors` package, so the format
(an 8-byte little-endian header length, a JSON header, raw little-endian data) is read and
written here with the standard library.
"""
import json
import struct
from pathlib import Path

import torch
from torch import nn

DIR = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'torch'
DTYPES = {'F32': torch.float32, 'I32': torch.int32, 'I64': torch.int64}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        begin, end = info['data_offsets']
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[info['dtype']])
        out[name] = t.reshape(info['shape']).clone()
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        blob = t.numpy().tobytes()
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    path.write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


class GlobalMaxPool1d(nn.Module):
    """tsgrad's GlobalMaxPool1d: [N, C, L] -> [N, C]; one module, so that indices match."""

    def forward(self, x):
        return x.amax(dim=-1)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),
    )


def bn_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, stride=2, groups=2), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32, 16), nn.BatchNorm1d(16), nn.ReLU(),
        nn.Linear(16, 3),
    )


def dna_cnn():
    return nn.Sequential(
        nn.Conv1d(4, 8, 12), nn.ReLU(), GlobalMaxPool1d(),
        nn.Linear(8, 32), nn.ReLU(),
        nn.Linear(32, 1),
    )


def main():
    torch.manual_seed(2026)
    bases = torch.randint(0, 4, (4, 40))
    io = {
        'img28': torch.randn(4, 1, 28, 28),
        'img12': torch.randn(4, 1, 12, 12),
        'dna40': nn.functional.one_hot(bases, 4).permute(0, 2, 1).float().contiguous(),
    }
    inputs = {'lenet5': 'img28', 'bn_cnn': 'img12', 'dna_cnn': 'dna40'}
    builders = {'lenet5': lenet5, 'bn_cnn': bn_cnn, 'dna_cnn': dna_cnn}

    for name, build in builders.items():
        model = build()
        model.load_state_dict(read_safetensors(DIR / f'from_tsgrad_{name}.safetensors'), strict=True)
        model.eval()
        with torch.no_grad():
            io[f'torch_out_from_tsgrad_{name}'] = model(io[inputs[name]])
        print(f'from_tsgrad_{name}: load_state_dict(strict=True) ok')

    for name in ['lenet5', 'bn_cnn']:
        model = builders[name]()
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(8, *io[inputs[name]].shape[1:]))
        model.eval()
        write_safetensors(DIR / f'from_torch_{name}.safetensors', model.state_dict())
        with torch.no_grad():
            io[f'torch_out_from_torch_{name}'] = model(io[inputs[name]])
        print(f'from_torch_{name}: {", ".join(model.state_dict().keys())}')

    write_safetensors(DIR / 'io.safetensors', io)


if __name__ == '__main__':
    main()
