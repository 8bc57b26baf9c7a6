#!/usr/bin/python3
"""Generates test/fixtures/reduce.json: PyTorch's values and input gradients for the reductions in
the call forms a PyTorch user writes (positional dims, lists of dims, keepdim), 0-d tensors, NaN,
and the ops cumsum, norm and topk.

Run with Debian's interpreter (torch 1.13): /usr/bin/python3 tools/make_reduce_fixtures.py

Each case names a call (`call`, a key of the test's table) with its arguments (`args`), records the
float32 output and, for differentiable calls, the gradient of (out * w).sum() with w = 1, 2, 3, ...
NaN and ±Inf are written as the strings "nan", "inf" and "-inf". Integer outputs (argmax, topk's
indices) have no gradient.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'reduce.json')
nan, inf = float('nan'), float('inf')
torch.manual_seed(0)


def enc(v):
    if isinstance(v, float) and math.isnan(v):
        return 'nan'
    if isinstance(v, float) and math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def encode(t):
    return [enc(float(v)) if t.dtype.is_floating_point else int(v) for v in t.detach().reshape(-1).tolist()]


CASES = []


def case(call, x, fn, args, grad=True):
    x = x.detach().clone().float().requires_grad_(grad)
    out = fn(x)
    c = {'call': call, 'args': args, 'input': {'shape': list(x.shape), 'data': encode(x)},
         'out': {'shape': list(out.shape), 'dtype': 'int32' if not out.dtype.is_floating_point else 'float32',
                 'data': encode(out)}}
    if grad and out.dtype.is_floating_point:
        w = torch.arange(1, out.numel() + 1, dtype=torch.float32).reshape(out.shape)
        (out * w).sum().backward()
        c['w'] = encode(w)
        c['grad'] = encode(x.grad)
    CASES.append(c)


x34 = torch.randn(3, 4)
x234 = torch.randn(2, 3, 4)
scalar = torch.tensor(5.0)

for name in ['sum', 'mean', 'amax', 'amin', 'logsumexp']:
    f = getattr(torch, name)
    call = {'amax': 'max', 'amin': 'min', 'logsumexp': 'logSumExp'}.get(name, name)
    case(call, x34, lambda t: f(t, 1), [1])
    case(call, x234, lambda t: f(t, [0, 2]), [[0, 2]])
    case(call, x234, lambda t: f(t, -1, True), [-1, True])
    case(call, x234, lambda t: f(t, (1,), keepdim=True), [{'dim': 1, 'keepdim': True}])
    case(call, x234, lambda t: f(t, (0, 1)), [{'axis': [0, 1]}])
    case(call, scalar, lambda t: f(t, 0), [0])
    case(call, scalar, lambda t: f(t, -1, True), [-1, True])
for name, call in [('var', 'var'), ('std', 'std')]:
    f = getattr(torch, name)
    case(call, x34, lambda t: f(t, 1), [1])
    case(call, x234, lambda t: f(t, [0, 2], keepdim=True), [[0, 2], True])
    case(call, x234, lambda t: f(t, 1, unbiased=False), [{'dim': 1, 'unbiased': False}])
    case(call, x234, lambda t: f(t, None, correction=0), [{'correction': 0}])
for name in ['argmax', 'argmin']:
    f = getattr(torch, name)
    case(name, x34, lambda t: f(t, 1), [1], grad=False)
    case(name, x234, lambda t: f(t, 0, True), [0, True], grad=False)
    case(name, x234, lambda t: f(t), [], grad=False)
    case(name, torch.tensor([[1, nan, 3, 3], [2, 2, -inf, 1]]), lambda t: f(t, 1), [1], grad=False)
    case(name, scalar, lambda t: f(t, 0), [0], grad=False)
# NaN: the maximum and minimum are NaN, and the gradient goes to the NaN.
nanrow = torch.tensor([[1, nan, 3, 3], [2, 2, -inf, 1]])
case('max', nanrow, lambda t: torch.amax(t, 1), [1])
case('min', nanrow, lambda t: torch.amin(t, 1), [1])
case('maxAll', torch.tensor([1, nan, 3]), lambda t: t.max(), [])
case('softmax', x234, lambda t: torch.softmax(t, 1), [1])
case('softmax', x234, lambda t: torch.softmax(t, 0), [{'dim': 0}])
case('logSoftmax', x234, lambda t: torch.log_softmax(t, -1), [-1])
case('logSoftmax', x234, lambda t: torch.log_softmax(t, 1), [{'axis': 1}])
case('cumsum', x234, lambda t: torch.cumsum(t, 1), [1])
case('cumsum', x234, lambda t: torch.cumsum(t, -1), [{'dim': -1}])
case('cumsum', scalar, lambda t: torch.cumsum(t, 0), [0])
case('norm', x234, lambda t: torch.linalg.vector_norm(t), [])
case('norm', x234, lambda t: torch.linalg.vector_norm(t, 1, dim=1), [1, 1])
case('norm', x234, lambda t: torch.linalg.vector_norm(t, 2, dim=[0, 2], keepdim=True), [2, [0, 2], True])
case('norm', x234, lambda t: torch.linalg.vector_norm(t, inf, dim=-1), [{'p': 'inf', 'dim': -1}])
case('norm', x234, lambda t: torch.linalg.vector_norm(t, 3, dim=0), [3, 0])
case('norm', torch.zeros(2, 3), lambda t: torch.linalg.vector_norm(t, 2, dim=1), [2, 1])
case('norm', torch.tensor([[3.0, -3.0, 1.0]]), lambda t: torch.linalg.vector_norm(t, inf, dim=1), [{'p': 'inf', 'dim': 1}])
distinct = torch.randperm(24).float().reshape(2, 3, 4) / 7 - 1
case('topkValues', distinct, lambda t: torch.topk(t, 2, 1).values, [2, 1])
case('topkIndices', distinct, lambda t: torch.topk(t, 2, 1).indices, [2, 1], grad=False)
case('topkValues', distinct, lambda t: torch.topk(t, 3).values, [3])
case('topkValues', distinct, lambda t: torch.topk(t, 2, 0, largest=False).values, [{'k': 2, 'dim': 0, 'largest': False}])
case('topkIndices', distinct, lambda t: torch.topk(t, 2, 0, largest=False).indices, [{'k': 2, 'dim': 0, 'largest': False}], grad=False)
case('topkIndices', torch.tensor([[1, nan, 3, 2]]), lambda t: torch.topk(t, 2).indices, [2], grad=False)

with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/make_reduce_fixtures.py', 'torch': torch.__version__, 'cases': CASES}, f)
print(f'wrote {len(CASES)} cases to {OUT}')
