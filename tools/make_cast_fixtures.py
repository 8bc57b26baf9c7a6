#!/usr/bin/python3
"""Writes test/fixtures/cast.json: PyTorch (1.13) reference values for dtype conversion
(x.float(), x.double(), x.int()) and for gradients through float32 <-> float64 casts.
Run with Debian's python: /usr/bin/python3 tools/make_cast_fixtures.py

float64 values are stored with every digit (repr), so that float64 -> float32 rounding and
float -> int32 truncation toward zero are checked exactly.
"""
import json
import os

import torch

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'cast.json')


def enc(t):
    return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''), 'data': t.detach().reshape(-1).tolist()}


# Halves, near-integers, negative values (truncation, not floor), values float32 rounds, and zero.
x64 = torch.tensor([[1.7, -1.7, 2.5, -2.5, 0.1, -0.9999999],
                    [1e-40, 16777217.0, -123456.789, 3.0000001, 0.0, 2147483520.0]], dtype=torch.float64)
x32 = (torch.randn(2, 3) * 3).float()

cases = {
    'float64': {'x': enc(x64), 'float': enc(x64.float()), 'int': enc(x64.int()), 'double': enc(x64.double())},
    'float32': {'x': enc(x32), 'double': enc(x32.double()), 'int': enc(x32.int())},
}

# d/dx sum(x.double() ** 3) for a float32 leaf: the gradient arrives in float32.
a = x32.clone().requires_grad_(True)
(a.double() ** 3).sum().backward()
cases['grad_up'] = {'x': enc(x32), 'grad': enc(a.grad)}
# d/dx sum(x.float() ** 2 * w) for a float64 leaf: computed in float32, returned in float64.
b = torch.tensor([[0.1, -2.3, 4.7]], dtype=torch.float64, requires_grad=True)
w = torch.tensor([[1.5, -0.5, 2.0]], dtype=torch.float32)
(b.float() ** 2 * w).sum().backward()
cases['grad_down'] = {'x': enc(b), 'w': enc(w), 'grad': enc(b.grad)}

with open(OUT, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=1)
    f.write('\n')
print('wrote', OUT)
