#!/usr/bin/python3
"""Writes test/fixtures/conv.json: PyTorch (1.13) reference values for convolution,
pooling, normalisation and embedding. Run with Debian's python: /usr/bin/python3 tools/make_conv_fixtures.py

Every input is drawn in float32 (so tsgrad can hold it exactly) and the references are
computed in float64. Each case stores its inputs, an upstream gradient dy, the output y and
the gradient of sum(y * dy) with respect to every floating-point input.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'conv.json')


def rnd(*shape, positive=False):
    t = torch.randn(tuple(shape), dtype=torch.float32)
    if positive:
        t = t.abs() + 0.5
    return t.double()


def enc(t, exact=False):
    # Inputs keep every digit (they are float32 values, exact in float64); results keep 10.
    vals = t.detach().reshape(-1).tolist()
    return {'shape': list(t.shape), 'data': [v if exact else float('%.10g' % v) for v in vals]}


def run(name, op, opts, inputs, fn, extra=None):
    """inputs: dict name -> float64 tensor (or int tensor); fn(**leaves) -> y."""
    leaves = {}
    for k, v in inputs.items():
        if v is None:
            leaves[k] = None
        elif v.dtype.is_floating_point:
            leaves[k] = v.clone().requires_grad_(True)
        else:
            leaves[k] = v.clone()
    y = fn(**leaves)
    dy = rnd(*y.shape)
    (y * dy).sum().backward()
    case = {
        'name': name,
        'op': op,
        'opts': opts,
        'inputs': {k: enc(v, True) for k, v in inputs.items() if v is not None},
        'dy': enc(dy, True),
        'y': enc(y),
        'grads': {k: enc(v.grad) for k, v in leaves.items() if v is not None and v.dtype.is_floating_point},
    }
    if extra:
        case.update(extra(leaves))
    return case


cases = []


def conv2d_case(name, n, c, h, w, o, k, bias=True, **opts):
    kh, kw = (k, k) if isinstance(k, int) else k
    groups = opts.get('groups', 1)
    inputs = {'x': rnd(n, c, h, w), 'w': rnd(o, c // groups, kh, kw), 'b': rnd(o) if bias else None}
    tops = {kk: (list(v) if isinstance(v, tuple) else v) for kk, v in opts.items()}
    cases.append(run(name, 'conv2d', tops, inputs,
                     lambda x, w, b: F.conv2d(x, w, b, **opts)))


def conv1d_case(name, n, c, l, o, k, bias=True, **opts):
    groups = opts.get('groups', 1)
    inputs = {'x': rnd(n, c, l), 'w': rnd(o, c // groups, k), 'b': rnd(o) if bias else None}
    cases.append(run(name, 'conv1d', dict(opts), inputs, lambda x, w, b: F.conv1d(x, w, b, **opts)))


conv2d_case('conv2d basic odd sizes', 2, 3, 7, 6, 4, 3)
conv2d_case('conv2d stride 2 padding 1', 2, 3, 9, 7, 5, 3, stride=2, padding=1)
conv2d_case('conv2d same even kernel (asymmetric)', 2, 2, 6, 7, 3, 4, padding='same')
conv2d_case('conv2d same dilation 2', 1, 3, 7, 8, 2, 3, padding='same', dilation=2)
conv2d_case('conv2d dilation 2 stride 2 pair padding', 2, 2, 11, 10, 3, (3, 2), stride=2, dilation=2, padding=(1, 2))
conv2d_case('conv2d groups 2', 2, 4, 6, 5, 6, 3, groups=2, padding=1)
conv2d_case('conv2d depthwise', 2, 3, 7, 7, 6, 3, groups=3, stride=2)
conv2d_case('conv2d kernel wider than stride, batch 1', 1, 2, 11, 9, 3, 5, stride=2)
conv2d_case('conv2d pointwise no bias groups 2', 2, 4, 5, 3, 6, 1, bias=False, groups=2)
conv2d_case('conv2d stride pair rectangular kernel', 2, 3, 8, 9, 4, (2, 3), stride=(2, 1))
conv2d_case('conv2d valid', 1, 2, 5, 5, 2, 2, padding='valid')
conv1d_case('conv1d stride 2 padding 1 dilation 2', 2, 4, 11, 5, 3, stride=2, padding=1, dilation=2)
conv1d_case('conv1d same even kernel groups 2', 2, 4, 10, 6, 6, padding='same', groups=2)
conv1d_case('conv1d depthwise batch 1 no bias', 1, 4, 9, 4, 3, bias=False, groups=4)


def pool_case(name, op, shape, **opts):
    f = {'maxPool2d': F.max_pool2d, 'avgPool2d': F.avg_pool2d, 'maxPool1d': F.max_pool1d, 'avgPool1d': F.avg_pool1d}[op]
    tk = {'kernelSize': opts['kernel_size']}
    if 'stride' in opts:
        tk['stride'] = opts['stride']
    if 'padding' in opts:
        tk['padding'] = opts['padding']
    tk = {k: (list(v) if isinstance(v, tuple) else v) for k, v in tk.items()}
    cases.append(run(name, op, tk, {'x': rnd(*shape)}, lambda x: f(x, **opts)))


pool_case('maxPool2d k3 s2 p1', 'maxPool2d', (2, 3, 9, 8), kernel_size=3, stride=2, padding=1)
pool_case('maxPool2d k2 odd input', 'maxPool2d', (1, 2, 7, 7), kernel_size=2)
pool_case('maxPool2d rectangular', 'maxPool2d', (2, 2, 6, 7), kernel_size=(3, 2), stride=(1, 2), padding=(1, 0))
pool_case('avgPool2d k3 s2 p1', 'avgPool2d', (2, 3, 9, 8), kernel_size=3, stride=2, padding=1)
pool_case('avgPool2d k2 odd input', 'avgPool2d', (1, 2, 7, 5), kernel_size=2)
pool_case('maxPool1d k3 s2 p1', 'maxPool1d', (2, 3, 10), kernel_size=3, stride=2, padding=1)
pool_case('avgPool1d k4 s3 p2', 'avgPool1d', (2, 2, 11), kernel_size=4, stride=3, padding=2)

for shape, size in [((2, 3, 7, 9), (3, 4)), ((1, 2, 10, 5), (4, 3)), ((1, 2, 5, 6), (7, 4)), ((1, 1, 13, 13), (6, 6))]:
    cases.append(run(f'adaptiveAvgPool2d {list(shape)} -> {list(size)}', 'adaptiveAvgPool2d', {'outputSize': list(size)},
                     {'x': rnd(*shape)}, lambda x, size=size: F.adaptive_avg_pool2d(x, size)))
cases.append(run('globalMaxPool1d', 'globalMaxPool1d', {}, {'x': rnd(2, 3, 7)}, lambda x: F.adaptive_max_pool1d(x, 1).squeeze(-1)))
cases.append(run('globalAvgPool1d', 'globalAvgPool1d', {}, {'x': rnd(2, 3, 7)}, lambda x: x.mean(dim=2)))
cases.append(run('globalMaxPool2d', 'globalMaxPool2d', {}, {'x': rnd(2, 3, 4, 5)}, lambda x: F.adaptive_max_pool2d(x, 1).flatten(1)))
cases.append(run('globalAvgPool2d', 'globalAvgPool2d', {}, {'x': rnd(2, 3, 4, 5)}, lambda x: x.mean(dim=(2, 3))))


def bn_case(name, shape, training, momentum=0.1, eps=1e-5, affine=True):
    c = shape[1]
    rm0, rv0 = rnd(c), rnd(c, positive=True)
    state = {}

    def fn(x, weight=None, bias=None):
        rm, rv = rm0.clone(), rv0.clone()
        y = F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=momentum, eps=eps)
        state['rm'], state['rv'] = rm, rv
        return y

    inputs = {'x': rnd(*shape) * 2 + 0.5}
    if affine:
        inputs['weight'] = rnd(c)
        inputs['bias'] = rnd(c)
    case = run(name, 'batchNorm', {'training': training, 'momentum': momentum, 'eps': eps}, inputs, fn)
    case['runningMean'] = enc(rm0, True)
    case['runningVar'] = enc(rv0, True)
    case['newRunningMean'] = enc(state['rm'])
    case['newRunningVar'] = enc(state['rv'])
    cases.append(case)


bn_case('batchNorm1d train [N,C]', (6, 4), True)
bn_case('batchNorm1d train [N,C,L] momentum 0.3', (4, 3, 5), True, momentum=0.3)
bn_case('batchNorm2d train', (3, 2, 4, 5), True)
bn_case('batchNorm2d train no affine', (2, 3, 3, 3), True, affine=False)
bn_case('batchNorm2d eval', (2, 3, 4, 4), False)
bn_case('batchNorm1d eval eps 1e-3', (5, 4), False, eps=1e-3)

for shape, ns, eps in [((3, 4, 5), [5], 1e-5), ((2, 3, 4), [3, 4], 1e-3)]:
    cases.append(run(f'layerNorm {list(shape)} over {ns}', 'layerNorm', {'normalizedShape': ns, 'eps': eps},
                     {'x': rnd(*shape), 'weight': rnd(*ns), 'bias': rnd(*ns)},
                     lambda x, weight, bias, ns=ns, eps=eps: F.layer_norm(x, ns, weight, bias, eps)))
cases.append(run('layerNorm no affine', 'layerNorm', {'normalizedShape': [6], 'eps': 1e-5}, {'x': rnd(4, 6)},
                 lambda x: F.layer_norm(x, [6], eps=1e-5)))

for pad in [0, -1, None]:
    idx = torch.tensor([[1, 0, 3], [0, 6, 1], [6, 6, 2]], dtype=torch.int32)
    cases.append(run(f'embedding paddingIdx {pad}', 'embedding', {'paddingIdx': pad},
                     {'indices': idx, 'weight': rnd(7, 3)},
                     lambda indices, weight, pad=pad: F.embedding(indices.long(), weight, padding_idx=pad)))


# Upsampling layers: transposed convolution, interpolation, pixel shuffle; and the losses of
# the image tasks (smooth L1, per-pixel cross-entropy with an ignored class).
for name, xs, ws, bias, o in [
    ('convTranspose2d stride 2 padding 1 outputPadding 1', (2, 4, 5, 5), (4, 3, 3, 3), True,
     {'stride': 2, 'padding': 1, 'outputPadding': 1}),
    ('convTranspose2d stride 1', (1, 3, 4, 4), (3, 2, 2, 2), True, {}),
    ('convTranspose2d groups 2 dilation [1,2] stride [2,1]', (1, 4, 4, 6), (4, 2, 3, 2), False,
     {'stride': [2, 1], 'padding': [1, 0], 'outputPadding': [1, 0], 'dilation': [1, 2], 'groups': 2}),
]:
    pair = lambda v: tuple(v) if isinstance(v, list) else v
    inputs = {'x': rnd(*xs), 'w': rnd(*ws)}
    if bias:
        inputs['b'] = rnd(ws[1] * o.get('groups', 1))
    cases.append(run(name, 'convTranspose2d', o, inputs,
                     lambda x, w, b=None, o=o: F.conv_transpose2d(
                         x, w, b, stride=pair(o.get('stride', 1)), padding=pair(o.get('padding', 0)),
                         output_padding=pair(o.get('outputPadding', 0)), groups=o.get('groups', 1),
                         dilation=pair(o.get('dilation', 1)))))

for name, xs, o, torch_kw in [
    ('interpolate nearest size [7,5]', (2, 2, 4, 3), {'size': [7, 5]}, {'size': (7, 5), 'mode': 'nearest'}),
    ('interpolate nearest scale 2', (1, 2, 3, 4), {'scaleFactor': 2}, {'scale_factor': 2.0, 'mode': 'nearest'}),
    ('interpolate nearest down size 2', (1, 1, 5, 5), {'size': 2}, {'size': (2, 2), 'mode': 'nearest'}),
    ('interpolate bilinear scale 2', (1, 2, 3, 4), {'scaleFactor': 2, 'mode': 'bilinear'},
     {'scale_factor': 2.0, 'mode': 'bilinear', 'align_corners': False}),
    ('interpolate bilinear alignCorners size [7,5]', (2, 1, 4, 3), {'size': [7, 5], 'mode': 'bilinear', 'alignCorners': True},
     {'size': (7, 5), 'mode': 'bilinear', 'align_corners': True}),
    ('interpolate bilinear down size [3,2]', (1, 2, 7, 5), {'size': [3, 2], 'mode': 'bilinear'},
     {'size': (3, 2), 'mode': 'bilinear', 'align_corners': False}),
    ('interpolate bicubic scale 2', (1, 2, 4, 5), {'scaleFactor': 2, 'mode': 'bicubic'},
     {'scale_factor': 2.0, 'mode': 'bicubic', 'align_corners': False}),
    ('interpolate bicubic alignCorners size [6,7]', (1, 1, 4, 3), {'size': [6, 7], 'mode': 'bicubic', 'alignCorners': True},
     {'size': (6, 7), 'mode': 'bicubic', 'align_corners': True}),
]:
    cases.append(run(name, 'interpolate', o, {'x': rnd(*xs)}, lambda x, kw=torch_kw: F.interpolate(x, **kw)))

for r, xs in [(2, (2, 8, 3, 3)), (3, (1, 9, 2, 4))]:
    cases.append(run(f'pixelShuffle {r}', 'pixelShuffle', {'upscaleFactor': r}, {'x': rnd(*xs)},
                     lambda x, r=r: F.pixel_shuffle(x, r)))

for beta, reduction in [(1.0, 'mean'), (0.5, 'sum'), (2.0, 'none')]:
    cases.append(run(f'smoothL1Loss beta {beta} {reduction}', 'smoothL1Loss', {'beta': beta, 'reduction': reduction},
                     {'x': rnd(3, 4) * 2, 'target': rnd(3, 4)},
                     lambda x, target, beta=beta, reduction=reduction: F.smooth_l1_loss(x, target, beta=beta, reduction=reduction)))

targets = torch.randint(0, 4, (2, 3, 3), dtype=torch.int32)
targets[0, 1, 1] = 2
targets[1, 0, 2] = 2
cases.append(run('crossEntropy per pixel [N,C,H,W] ignoreIndex 2', 'crossEntropy', {'ignoreIndex': 2},
                 {'x': rnd(2, 4, 3, 3), 'indices': targets},
                 lambda x, indices: F.cross_entropy(x, indices.long(), ignore_index=2)))

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/make_conv_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f)
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
