#!/usr/bin/python3
"""Generates test/fixtures/kinks.json: PyTorch's values and input gradients at kinks, NaN and ±Inf.

Run with Debian's interpreter (torch 1.13): /usr/bin/python3 tools/make_kink_fixtures.py

tools/make_op_fixtures.py keeps its inputs away from kinks and ties so that central differences
hold; this file is the complement: inputs exactly at the points where an op's derivative is
defined by convention (relu and abs at 0, clamp at its bounds, max-pool ties, pow at 0, sqrt
at 0), plus NaN and ±Inf, where the only reference is what PyTorch computes. Each case records
the float32 forward output and the gradient of (out * w).sum() with w = 1, 2, 3, ... (distinct
weights, so that a gradient routed to the wrong element shows). JSON has no NaN or Inf: they
are written as the strings "nan", "inf" and "-inf"; -0.0 stays a number.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'kinks.json')
nan, inf = float('nan'), float('inf')

# The values every unary op meets: NaN, ±Inf, both zeros, and ordinary points on each side.
SPECIAL = [nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.0]


def enc(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def encode(t):
    return [enc(v) for v in t.detach().reshape(-1).tolist()]


CASES = []


def case(op, cid, fn, inputs, opts=None, grad=True):
    """Runs fn on float32 inputs and records the output and the gradient of (out * w).sum()."""
    xs = [torch.tensor(x, dtype=torch.float32).requires_grad_(grad) for x in inputs]
    out = fn(*xs)
    entry = {
        'op': op, 'id': cid, 'opts': opts or {},
        'inputs': [{'shape': list(x.shape), 'data': encode(x)} for x in xs],
        'out': {'shape': list(out.shape), 'data': encode(out)},
    }
    if grad:
        w = torch.arange(1, out.numel() + 1, dtype=torch.float32).reshape(out.shape)
        (out * w).sum().backward()
        entry['w'] = encode(w)
        entry['grads'] = [encode(x.grad) if x.grad is not None else encode(torch.zeros_like(x)) for x in xs]
    CASES.append(entry)


def unary(op, fn, extra=(), opts=None, cid='special'):
    case(op, cid, fn, [SPECIAL + list(extra)], opts)


# ---- Elementwise unary primitives and activations.
unary('neg', torch.neg)
unary('exp', torch.exp)
unary('log', torch.log)
unary('log1p', torch.log1p, [-1.0])
unary('sqrt', torch.sqrt)
unary('abs', torch.abs)
unary('reciprocal', torch.reciprocal)
unary('relu', F.relu)
unary('sigmoid', torch.sigmoid)
unary('tanh', torch.tanh)
unary('sign', torch.sign)
unary('erf', torch.erf)
unary('sin', torch.sin)
unary('cos', torch.cos)
unary('square', torch.square)
case('isnan', 'special', lambda x: torch.isnan(x).float(), [SPECIAL], grad=False)
unary('leakyRelu', F.leaky_relu)
unary('leakyRelu', lambda x: F.leaky_relu(x, 0.2), opts={'negativeSlope': 0.2}, cid='slope')
unary('elu', F.elu)
unary('elu', lambda x: F.elu(x, 0.5), opts={'alpha': 0.5}, cid='alpha')
unary('softplus', F.softplus, [20.0, 21.0, -20.0])
unary('softplus', lambda x: F.softplus(x, beta=2, threshold=10), [5.0, 6.0], opts={'beta': 2, 'threshold': 10}, cid='beta')
unary('gelu', F.gelu)
unary('silu', F.silu)
unary('clamp', lambda x: torch.clamp(x, -1, 0.5), opts={'min': -1, 'max': 0.5}, cid='both')
unary('clamp', lambda x: torch.clamp(x, min=0), opts={'min': 0}, cid='min')
unary('clamp', lambda x: torch.clamp(x, max=0), opts={'max': 0}, cid='max')
unary('clamp', lambda x: torch.clamp(x, 0.5, 0.5), opts={'min': 0.5, 'max': 0.5}, cid='point')
# Infinite and NaN bounds (options encoded like the data): PyTorch ignores a NaN bound in the
# forward pass, and its gradient mask (x >= min) & (x <= max) is then 0 everywhere.
unary('clamp', lambda x: torch.clamp(x, -inf, inf), opts={'min': '-inf', 'max': 'inf'}, cid='infBounds')
unary('clamp', lambda x: torch.clamp(x, min=inf), opts={'min': 'inf'}, cid='minInf')
unary('clamp', lambda x: torch.clamp(x, min=nan), opts={'min': 'nan'}, cid='minNaN')
unary('clamp', lambda x: torch.clamp(x, max=nan), opts={'max': 'nan'}, cid='maxNaN')

# ---- Binary primitives: every pair of special values, and pow at its kinks.
PAIRS = [(a, b) for a in [nan, inf, -inf, 0.0, -0.0, 1.0, -1.5] for b in [nan, inf, -inf, 0.0, -0.0, 1.0, -1.5]]
A = [p[0] for p in PAIRS]
B = [p[1] for p in PAIRS]
for name, fn in [('add', torch.add), ('sub', torch.sub), ('mul', torch.mul), ('div', torch.div),
                 ('maximum', torch.maximum), ('minimum', torch.minimum)]:
    case(name, 'pairs', fn, [A, B])
for name, fn in [('eq', torch.eq), ('ne', torch.ne), ('lt', torch.lt), ('le', torch.le), ('gt', torch.gt), ('ge', torch.ge)]:
    case(name, 'pairs', lambda a, b, fn=fn: fn(a, b).float(), [A, B], grad=False)
# maximum/minimum against a broadcast scalar (the form relu-like code writes).
case('maximum', 'scalar', torch.maximum, [SPECIAL, [0.0]])
case('minimum', 'scalar', torch.minimum, [SPECIAL, [0.0]])
# pow: base 0 (both signs) and ±1, ±Inf, NaN against integer, fractional, zero and negative exponents.
BASES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, inf, nan]
EXPS = [0.0, 1.0, 2.0, 3.0, 0.5, -1.0, 1.5]
case('pow', 'zero', torch.pow, [[b for b in BASES for _ in EXPS], [e for _ in BASES for e in EXPS]])
# Kinks exercised through the scalar forms x.pow(k) too. PyTorch computes x.pow(0.5) as sqrt,
# whose derivative at -0 is -inf where the tensor form above (and IEEE pow) give +inf: -0 is
# left out of that one case.
for k in [0.0, 1.0, 2.0, 0.5, -1.0]:
    xs = [0.0, 1.0, -1.0, 2.0, inf, nan] + ([] if k == 0.5 else [-0.0])
    case('powScalar', f'p{k:g}', lambda x, k=k: torch.pow(x, k), [xs], opts={'exponent': k})

# where with NaN and Inf in the chosen and the unchosen branch.
case('where', 'special', lambda c, a, b: torch.where(c != 0, a, b),
     [[1.0, 0.0, 1.0, 0.0, 1.0, 0.0], [nan, nan, inf, 1.0, 2.0, -inf], [1.0, 2.0, 3.0, nan, -inf, inf]])

# ---- Pooling: ties (the gradient goes to one element: the first maximum), NaN (the last NaN
# of the window wins), ±Inf, windows of -inf only, padding.
P = [[[[1.0, 1.0, 2.0, 2.0, 0.0, -1.0],
       [1.0, 0.5, 2.0, nan, nan, -1.0],
       [-inf, -inf, 3.0, inf, -2.0, -2.0],
       [-inf, -inf, inf, 3.0, -2.0, -2.0]]]]
case('maxPool2d', 'k2', lambda x: F.max_pool2d(x, 2), [P], {'kernelSize': 2})
case('maxPool2d', 'k3s1p1', lambda x: F.max_pool2d(x, 3, 1, 1), [P], {'kernelSize': 3, 'stride': 1, 'padding': 1})
case('maxPool2d', 'k2s1', lambda x: F.max_pool2d(x, 2, 1), [P], {'kernelSize': 2, 'stride': 1})
# Wide enough (4 windows of 2×2 in a row) for the wasm kernel's f32x4 path.
P4 = [[[[nan, nan, 1.0, 1.0, 2.0, 0.0, -inf, -inf, 0.0, nan],
        [nan, 1.0, 1.0, 1.0, 0.0, 2.0, -inf, -inf, -0.0, 3.0],
        [1.0, 2.0, nan, 3.0, inf, 4.0, -1.0, -1.0, 5.0, 5.0],
        [nan, 2.0, 3.0, nan, 4.0, inf, -1.0, -1.0, 5.0, 5.0]],
       [[0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        [0.0, 0.0, 0.0, 0.0, 4.0, 3.0, 2.0, 1.0, 6.0, 5.0],
        [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        [0.0, 0.0, 0.0, 0.0, 4.0, 3.0, 2.0, 1.0, 6.0, 5.0]]]]
case('maxPool2d', 'k2wide', lambda x: F.max_pool2d(x, 2), [P4], {'kernelSize': 2})
case('avgPool2d', 'k2', lambda x: F.avg_pool2d(x, 2), [P], {'kernelSize': 2})
case('avgPool2d', 'k3s1p1', lambda x: F.avg_pool2d(x, 3, 1, 1), [P], {'kernelSize': 3, 'stride': 1, 'padding': 1})
L = [[[1.0, nan, 3.0, nan, 3.0, 2.0, 2.0, 0.0, 5.0, 5.0, 1.0, -inf],
      [4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0],
      [-1.0, -2.0, -inf, 0.0, -0.0, 0.0, -3.0, -inf, -inf, -inf, inf, inf]]]
case('maxPool1d', 'k2', lambda x: F.max_pool1d(x, 2), [L], {'kernelSize': 2})
case('maxPool1d', 'k3s2p1', lambda x: F.max_pool1d(x, 3, 2, 1), [L], {'kernelSize': 3, 'stride': 2, 'padding': 1})
case('maxPool1d', 'k12', lambda x: F.max_pool1d(x, 12), [L], {'kernelSize': 12})
case('maxPool1d', 'k9s3', lambda x: F.max_pool1d(x, 9, 3), [L], {'kernelSize': 9, 'stride': 3})
case('globalMaxPool1d', 'special', lambda x: F.adaptive_max_pool1d(x, 1).squeeze(2), [L])
case('globalMaxPool2d', 'special', lambda x: F.adaptive_max_pool2d(x, 1).flatten(1), [P])
case('globalAvgPool1d', 'special', lambda x: F.adaptive_avg_pool1d(x, 1).squeeze(2), [L])
case('globalAvgPool2d', 'special', lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1), [P])
case('adaptiveAvgPool2d', 'o2x3', lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [P], {'outputSize': [2, 3]})
case('adaptiveAvgPool2d', 'o3x4', lambda x: F.adaptive_avg_pool2d(x, (3, 4)), [P], {'outputSize': [3, 4]})

# ---- Convolutions and the fused blocks with a NaN or an Inf in the input: it reaches exactly
# the outputs whose window holds it, ReLU keeps NaN, the pool after it picks NaN.
g = torch.Generator().manual_seed(17)


def rnd(*shape):
    return (torch.randn(shape, generator=g) * 0.5).float().tolist()


X1 = rnd(2, 2, 6, 6)
X1[0][0][2][3] = nan
X1[1][1][4][1] = inf
W1 = rnd(3, 2, 3, 3)
B1 = rnd(3)
case('conv2d', 'nan', lambda x, w, b: F.conv2d(x, w, b), [X1, W1, B1])
case('conv2dRelu', 'nan', lambda x, w, b: F.relu(F.conv2d(x, w, b, padding=1)), [X1, W1, B1], {'padding': 1})
case('conv2dReluMaxPool', 'nan', lambda x, w, b: F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2), [X1, W1, B1], {'pool': 2})
# Winograd's shape on wasm: 3×3, stride 1, at least 4 channels in and out.
X2 = rnd(2, 4, 6, 6)
X2[1][2][3][3] = nan
W2 = rnd(4, 4, 3, 3)
B2 = rnd(4)
case('conv2dRelu', 'winograd', lambda x, w, b: F.relu(F.conv2d(x, w, b, padding=1)), [X2, W2, B2], {'padding': 1})
case('conv2dReluMaxPool', 'winograd', lambda x, w, b: F.max_pool2d(F.relu(F.conv2d(x, w, b, padding=1)), 2), [X2, W2, B2],
     {'padding': 1, 'pool': 2})
# The first layer's form (x needs no gradient), whose ReLU mask runs inside the kernel: the
# test leaves the inputs listed in opts.frozen without requiresGrad and skips their gradient.
case('conv2dRelu', 'frozenX', lambda x, w, b: F.relu(F.conv2d(x, w, b, padding=1)), [X1, W1, B1], {'padding': 1, 'frozen': [0]})
case('conv2dRelu', 'winogradFrozenX', lambda x, w, b: F.relu(F.conv2d(x, w, b, padding=1)), [X2, W2, B2],
     {'padding': 1, 'frozen': [0]})
X3 = rnd(2, 4, 20)
X3[0][1][7] = nan
X3[1][3][15] = -inf
W3 = rnd(5, 4, 3)
B3 = rnd(5)
case('conv1dRelu', 'nan', lambda x, w, b: F.relu(F.conv1d(x, w, b)), [X3, W3, B3])
case('conv1dRelu', 'frozenX', lambda x, w, b: F.relu(F.conv1d(x, w, b)), [X3, W3, B3], {'frozen': [0]})
case('conv1dReluMaxPool', 'nan', lambda x, w, b: F.max_pool1d(F.relu(F.conv1d(x, w, b)), 3), [X3, W3, B3], {'pool': 3})
case('conv1dReluGlobalMaxPool', 'nan', lambda x, w, b: F.adaptive_max_pool1d(F.relu(F.conv1d(x, w, b)), 1).squeeze(2), [X3, W3, B3])
# Parameterised elementwise primitives: NaN passes through; at the bounds the gradient is 0.
unary('hardtanh', F.hardtanh, [1.0, -1.0])
unary('hardtanh', lambda x: F.hardtanh(x, 0.0, 0.5), [0.5], opts={'min': 0, 'max': 0.5}, cid='minMax')
unary('relu6', F.relu6, [6.0, 7.0])
unary('softsign', F.softsign)

with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/make_kink_fixtures.py', 'torch': torch.__version__, 'cases': CASES}, f, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(CASES)} cases to {os.path.relpath(OUT)}')
