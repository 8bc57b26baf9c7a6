#!/usr/bin/python3
"""Generates test/fixtures/ops.json: PyTorch's forward outputs and input gradients for every core op.

Run with Debian's interpreter (torch 1.13): /usr/bin/python3 tools/make_op_fixtures.py

Each case records float32-representable inputs (computed on in float64), the op's options,
the float64 output, a fixed random weight w of the output's shape and the gradient of
(out * w).sum() with respect to every floating-point input (null where none flows).
The test harness (test/op-harness.ts) replays each case in tsgrad. The output is
deterministic: one seed per case, derived from its id.
"""
import json
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'ops.json')


# ---- Input generators: each returns a float32-representable float64 tensor.

def f32(t):
    return t.float().double()


def randn(*shape):
    return f32(torch.randn(shape))


def pos(*shape):
    """Positive values in [0.5, 2.5): for log, sqrt, pow bases."""
    return f32(torch.rand(shape) * 2 + 0.5)


def away(*shape, kink=0.0, gap=0.1):
    """Normal values at least `gap` from a kink, so that central differences never straddle it."""
    x = torch.randn(shape)
    return f32(kink + torch.sign(x - kink + 1e-12) * ((x - kink).abs() + gap))


def avoid(*kinks, gap=0.05):
    """A generator of normal values kept at least `gap` from each kink (clamp's bounds)."""
    def gen(*shape):
        x = torch.randn(shape)
        for k in kinks:
            near = (x - k).abs() < gap
            x = torch.where(near, k + gap * torch.sign(x - k + 1e-12) * 2, x)
        return f32(x)
    return gen


def spread(*shape):
    """Distinct values (no ties), for max/min and maximum/minimum."""
    n = int(np.prod(shape)) if shape else 1
    v = torch.randperm(n).double() * 0.25 + torch.rand(n) * 0.1
    return f32(v.reshape(shape) - v.mean())


def cond(*shape):
    return (torch.rand(shape) > 0.5).double()


def index(high, *shape):
    return torch.randint(0, high, shape, dtype=torch.int64)


# ---- Cases: (op, id, inputs thunk, options, torch function of (inputs, options), differentiable?)

CASES = []


def case(op, cid, make, fn, opts=None, grad=True):
    CASES.append((op, cid, make, fn, opts or {}, grad))


def binary(op, fn, gen_a=randn, gen_b=randn):
    case(op, 'same', lambda: [gen_a(3, 4), gen_b(3, 4)], fn)
    case(op, 'row', lambda: [gen_a(3, 4), gen_b(4)], fn)
    case(op, 'outer', lambda: [gen_a(2, 1, 3), gen_b(4, 1)], fn)
    case(op, 'scalar', lambda: [gen_a(), gen_b(2, 3)], fn)


def unary(op, fn, gen=randn, opts=None, cid='basic', shape=(3, 4)):
    case(op, cid, lambda: [gen(*shape)], fn, opts)


bfn = lambda f: (lambda xs, o: f(xs[0], xs[1]))
ufn = lambda f: (lambda xs, o: f(xs[0]))

# Element-wise binary.
binary('add', bfn(torch.add))
binary('sub', bfn(torch.sub))
binary('mul', bfn(torch.mul))
binary('div', bfn(torch.div), randn, lambda *s: away(*s, gap=0.5))
binary('pow', bfn(torch.pow), pos, randn)
binary('maximum', bfn(torch.maximum), spread, spread)
binary('minimum', bfn(torch.minimum), spread, spread)
case('pow', 'scalarExponent', lambda: [pos(3, 4)], lambda xs, o: xs[0] ** o['exponent'], {'exponent': 2.5})
case('add', 'number', lambda: [randn(2, 3)], lambda xs, o: xs[0] + o['value'], {'value': 1.5})
case('sub', 'numberLeft', lambda: [randn(2, 3)], lambda xs, o: o['value'] - xs[0], {'value': 0.75})
case('div', 'numberLeft', lambda: [away(2, 3, gap=0.5)], lambda xs, o: o['value'] / xs[0], {'value': 2.0})

# Element-wise unary.
unary('neg', ufn(torch.neg))
unary('exp', ufn(torch.exp))
unary('log', ufn(torch.log), pos)
unary('log1p', ufn(torch.log1p), pos)
unary('sqrt', ufn(torch.sqrt), pos)
unary('abs', ufn(torch.abs), away)
unary('reciprocal', ufn(torch.reciprocal), lambda *s: away(*s, gap=0.5))
unary('square', ufn(torch.square))
unary('relu', ufn(torch.relu), away)
unary('sigmoid', ufn(torch.sigmoid))
unary('sigmoid', ufn(torch.sigmoid), lambda *s: randn(*s) * 8, cid='wide')
unary('tanh', ufn(torch.tanh))
unary('erf', ufn(torch.erf))
unary('sin', ufn(torch.sin))
unary('cos', ufn(torch.cos))
unary('leakyRelu', ufn(F.leaky_relu), away)
unary('leakyRelu', lambda xs, o: F.leaky_relu(xs[0], o['negativeSlope']), away, {'negativeSlope': 0.2}, 'slope')
unary('softplus', ufn(F.softplus))
unary('softplus', lambda xs, o: F.softplus(xs[0], o['beta'], o['threshold']),
      lambda *s: away(*s, kink=2.5, gap=0.1), {'beta': 2, 'threshold': 5}, 'betaThreshold')
unary('gelu', ufn(F.gelu))
unary('silu', ufn(F.silu))
unary('elu', ufn(F.elu), away)
unary('elu', lambda xs, o: F.elu(xs[0], o['alpha']), away, {'alpha': 0.5}, 'alpha')
unary('clamp', lambda xs, o: torch.clamp(xs[0], o['min'], o['max']),
      avoid(-0.5, 0.6), {'min': -0.5, 'max': 0.6}, 'minMax', (4, 5))
unary('clamp', lambda xs, o: torch.clamp(xs[0], min=o['min']), avoid(0.3), {'min': 0.3}, 'min')
unary('clamp', lambda xs, o: torch.clamp(xs[0], max=o['max']), avoid(-0.2), {'max': -0.2}, 'max')
case('where', 'broadcast', lambda: [cond(3, 4), randn(3, 4), randn(4)], lambda xs, o: torch.where(xs[0] != 0, xs[1], xs[2]))
case('where', 'condRow', lambda: [cond(4), randn(3, 1), randn(3, 4)], lambda xs, o: torch.where(xs[0] != 0, xs[1], xs[2]))

# Reductions.
def reduce_cases(op, fn, gen=randn):
    case(op, 'all', lambda: [gen(3, 4)], fn, {})
    case(op, 'axis1', lambda: [gen(3, 4)], fn, {'axis': 1})
    case(op, 'axesKeep', lambda: [gen(2, 3, 4)], fn, {'axis': [0, 2], 'keepDim': True})
    case(op, 'negAxis', lambda: [gen(2, 3, 4)], fn, {'axis': -2})


def torch_reduce(f):
    def run(xs, o):
        x = xs[0]
        axis = o.get('axis')
        keep = o.get('keepDim', False)
        if axis is None:
            r = f(x, tuple(range(x.dim())), False)
            return r.reshape([1] * x.dim()) if keep else r
        return f(x, axis if isinstance(axis, int) else tuple(axis), keep)
    return run


reduce_cases('sum', torch_reduce(lambda x, d, k: torch.sum(x, d, keepdim=k)))
reduce_cases('mean', torch_reduce(lambda x, d, k: torch.mean(x, d, keepdim=k)))
reduce_cases('max', torch_reduce(lambda x, d, k: torch.amax(x, d, keepdim=k)), spread)
reduce_cases('min', torch_reduce(lambda x, d, k: torch.amin(x, d, keepdim=k)), spread)
reduce_cases('var', torch_reduce(lambda x, d, k: torch.var(x, d, unbiased=True, keepdim=k)))
reduce_cases('std', torch_reduce(lambda x, d, k: torch.std(x, d, unbiased=True, keepdim=k)))
reduce_cases('logSumExp', torch_reduce(lambda x, d, k: torch.logsumexp(x, d, keepdim=k)))
case('var', 'population', lambda: [randn(3, 5)], lambda xs, o: torch.var(xs[0], 1, unbiased=False), {'axis': 1, 'correction': 0})
case('logSumExp', 'large', lambda: [f32(torch.randn(2, 5) * 30 + 100)], torch_reduce(lambda x, d, k: torch.logsumexp(x, d, keepdim=k)), {'axis': 1})
for axis in (-1, 0, 1):
    case('softmax', f'axis{axis}', lambda: [randn(3, 4, 2) * 2], lambda xs, o: torch.softmax(xs[0], o['axis']), {'axis': axis})
    case('logSoftmax', f'axis{axis}', lambda: [randn(3, 4, 2) * 2], lambda xs, o: torch.log_softmax(xs[0], o['axis']), {'axis': axis})
case('argmax', 'axis1', lambda: [spread(3, 5)], lambda xs, o: torch.argmax(xs[0], 1), {'axis': 1}, grad=False)
case('argmax', 'all', lambda: [spread(3, 5)], lambda xs, o: torch.argmax(xs[0]), {}, grad=False)
case('argmin', 'axis0Keep', lambda: [spread(3, 5)], lambda xs, o: torch.argmin(xs[0], 0, keepdim=True), {'axis': 0, 'keepDim': True}, grad=False)

# Matrix products.
mm = lambda xs, o: torch.matmul(xs[0], xs[1])
case('matmul', '2d', lambda: [randn(3, 4), randn(4, 5)], mm)
case('matmul', 'batched', lambda: [randn(2, 3, 4), randn(2, 4, 5)], mm)
case('matmul', 'batchBroadcast', lambda: [randn(2, 3, 4), randn(4, 5)], mm)
case('matmul', 'batchBroadcast4d', lambda: [randn(2, 1, 3, 4), randn(5, 4, 2)], mm)
case('matmul', 'vecMat', lambda: [randn(4), randn(4, 3)], mm)
case('matmul', 'matVec', lambda: [randn(3, 4), randn(4)], mm)
case('matmul', 'dot', lambda: [randn(5), randn(5)], mm)
case('matmul', 'vecBatched', lambda: [randn(4), randn(2, 4, 3)], mm)
case('matmul', 'transposedA', lambda: [randn(4, 3), randn(4, 5)], lambda xs, o: xs[0].T @ xs[1])
case('matmul', 'transposedB', lambda: [randn(3, 4), randn(5, 4)], lambda xs, o: xs[0] @ xs[1].T)
case('matmul', 'odd', lambda: [randn(7, 9), randn(9, 6)], mm)

# Movement.
case('reshape', 'basic', lambda: [randn(3, 4)], lambda xs, o: xs[0].reshape(o['shape']), {'shape': [2, -1, 3]})
case('reshape', 'ofTransposed', lambda: [randn(3, 4)], lambda xs, o: xs[0].T.reshape(o['shape']), {'shape': [2, 6]})
case('permute', 'basic', lambda: [randn(2, 3, 4)], lambda xs, o: xs[0].permute(o['dims']), {'dims': [2, 0, 1]})
case('transpose', 'last', lambda: [randn(2, 3, 4)], lambda xs, o: xs[0].transpose(-2, -1), {})
case('transpose', 'dims', lambda: [randn(2, 3, 4)], lambda xs, o: xs[0].transpose(o['dim0'], o['dim1']), {'dim0': 0, 'dim1': 2})
case('expand', 'basic', lambda: [randn(3, 1)], lambda xs, o: xs[0].expand(o['shape']), {'shape': [2, 3, 4]})
case('expand', 'keep', lambda: [randn(1, 4)], lambda xs, o: xs[0].expand(o['shape']), {'shape': [3, -1]})
case('squeeze', 'all', lambda: [randn(1, 3, 1, 2)], lambda xs, o: xs[0].squeeze(), {})
case('squeeze', 'axis', lambda: [randn(1, 3, 1, 2)], lambda xs, o: xs[0].squeeze(o['axis']), {'axis': 2})
case('unsqueeze', 'basic', lambda: [randn(3, 2)], lambda xs, o: xs[0].unsqueeze(o['axis']), {'axis': 1})
case('unsqueeze', 'last', lambda: [randn(3, 2)], lambda xs, o: xs[0].unsqueeze(o['axis']), {'axis': -1})
case('flatten', 'all', lambda: [randn(2, 3, 2)], lambda xs, o: xs[0].flatten(), {})
case('flatten', 'range', lambda: [randn(2, 3, 2, 2)], lambda xs, o: xs[0].flatten(o['startDim'], o['endDim']), {'startDim': 1, 'endDim': 2})
case('slice', 'steps', lambda: [randn(6, 7)], lambda xs, o: xs[0][1:5:2, ::3], {'ranges': [[1, 5, 2], [None, None, 3]]})
case('slice', 'negative', lambda: [randn(4, 5, 3)], lambda xs, o: xs[0][-3:, 1:-1], {'ranges': [[-3], [1, -1]]})
case('narrow', 'basic', lambda: [randn(4, 6)], lambda xs, o: xs[0].narrow(o['dim'], o['start'], o['length']), {'dim': 1, 'start': 2, 'length': 3})
case('select', 'basic', lambda: [randn(3, 4, 2)], lambda xs, o: xs[0].select(o['dim'], o['index']), {'dim': 1, 'index': 2})
case('concat', 'axis0', lambda: [randn(2, 3), randn(1, 3), randn(3, 3)], lambda xs, o: torch.cat(xs, o['axis']), {'axis': 0})
case('concat', 'axis1', lambda: [randn(2, 3), randn(2, 1)], lambda xs, o: torch.cat(xs, o['axis']), {'axis': 1})
case('stack', 'axis0', lambda: [randn(2, 3), randn(2, 3)], lambda xs, o: torch.stack(xs, o['axis']), {'axis': 0})
case('stack', 'last', lambda: [randn(2, 3), randn(2, 3), randn(2, 3)], lambda xs, o: torch.stack(xs, o['axis']), {'axis': -1})
case('pad', 'last', lambda: [randn(2, 3)], lambda xs, o: F.pad(xs[0], o['pads']), {'pads': [1, 2]})
case('pad', 'twoAxes', lambda: [randn(2, 3, 2)], lambda xs, o: F.pad(xs[0], o['pads'], value=o['value']), {'pads': [0, 1, 2, 1], 'value': 0.5})
case('contiguous', 'transposed', lambda: [randn(3, 4)], lambda xs, o: xs[0].T.contiguous(), {})

# Indexing (int64 indices here, int32 in tsgrad).
case('indexSelect', 'rowsRepeated', lambda: [randn(4, 3), torch.tensor([2, 0, 2, 3, 2])],
     lambda xs, o: torch.index_select(xs[0], o['dim'], xs[1]), {'dim': 0})
case('indexSelect', 'dim1', lambda: [randn(2, 5, 3), torch.tensor([4, 1, 1])],
     lambda xs, o: torch.index_select(xs[0], o['dim'], xs[1]), {'dim': 1})
case('gather', 'dim1Repeated', lambda: [randn(3, 4), torch.tensor([[0, 0, 3], [1, 2, 1], [3, 3, 3]])],
     lambda xs, o: torch.gather(xs[0], o['dim'], xs[1]), {'dim': 1})
case('gather', 'dim0Smaller', lambda: [randn(4, 3, 2), index(4, 2, 2, 2)],
     lambda xs, o: torch.gather(xs[0], o['dim'], xs[1]), {'dim': 0})
case('oneHot', 'basic', lambda: [torch.tensor([[0, 3], [2, 2]])],
     lambda xs, o: F.one_hot(xs[0], o['numClasses']).double(), {'numClasses': 4}, grad=False)


# ---- Evaluation and output.

def fmt_in(x):
    """Float32 inputs printed at the shortest string that reads back as the same float32."""
    return [float(repr(np.float32(v))) for v in x.flatten().tolist()]


def fmt_out(x):
    return [float('%.10g' % v) for v in x.flatten().tolist()]


def run(op, cid, make, fn, opts, grad):
    torch.manual_seed(zlib.crc32(f'{op}/{cid}'.encode()))
    xs = make()
    leaves = []
    for x in xs:
        if x.is_floating_point():
            x = x.detach().clone().requires_grad_(grad)
        leaves.append(x)
    out = fn(leaves, opts)
    rec = {
        'op': op,
        'id': cid,
        'opts': opts,
        'inputs': [{
            'shape': list(x.shape),
            'dtype': 'float32' if x.is_floating_point() else 'int32',
            'data': fmt_in(x.detach()) if x.is_floating_point() else x.flatten().tolist(),
        } for x in leaves],
        'out': {'shape': list(out.shape), 'data': fmt_out(out.detach().double())},
    }
    if grad:
        w = f32(torch.rand(out.shape) * 2 - 1)
        (out * w).sum().backward()
        rec['w'] = fmt_in(w)
        rec['grads'] = [
            None if not x.is_floating_point() or x.grad is None else fmt_out(x.grad)
            for x in leaves
        ]
    return rec


# Parameterised elementwise primitives (kept last so that the random draws of the cases above stay as they were).
unary('hardtanh', ufn(F.hardtanh), avoid(-1, 1))
unary('hardtanh', lambda xs, o: F.hardtanh(xs[0], o['min'], o['max']), avoid(-0.5, 0.25),
      {'min': -0.5, 'max': 0.25}, 'minMax')


def spread_past_six(*shape):
    """Values on both sides of relu6's kinks at 0 and 6, kept 0.05 away from them."""
    x = torch.randn(shape) * 4
    return f32(torch.where((x.abs() < 0.05) | ((x - 6).abs() < 0.05), x + 0.2, x))


unary('relu6', ufn(F.relu6), spread_past_six)
unary('mish', ufn(F.mish))
unary('softsign', ufn(F.softsign))

def main():
    ids = [f'{c[0]}/{c[1]}' for c in CASES]
    assert len(ids) == len(set(ids)), 'duplicate case ids'
    records = [run(*c) for c in CASES]
    text = json.dumps({'generator': 'tools/make_op_fixtures.py', 'torch': torch.__version__, 'cases': records},
                      separators=(',', ':'), allow_nan=False)
    with open(OUT, 'w') as f:
        f.write(text + '\n')
    print(f'{len(records)} cases, {len(text) / 1024:.0f} KiB -> {os.path.relpath(OUT)}')


if __name__ == '__main__':
    main()
