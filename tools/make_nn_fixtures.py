#!/usr/bin/python3
"""Writes test/fixtures/nn.json: PyTorch reference values for tsgrad's losses, optimisers and
learning-rate schedules (src/nn/losses.test.ts, src/optim/optim.test.ts).

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_nn_fixtures.py

Options are written with tsgrad's names (weightDecay, ignoreIndex, ...) and translated here.
"""
import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings('ignore')  # schedulers warn when stepped before optimizer.step()
torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn.json')


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor_entry(t):
    return {'shape': list(t.shape), 'data': flat(t) if t.dtype.is_floating_point else [int(v) for v in t.reshape(-1).tolist()]}


def snake(opts):
    names = {'ignoreIndex': 'ignore_index', 'labelSmoothing': 'label_smoothing', 'posWeight': 'pos_weight',
             'weightDecay': 'weight_decay'}
    return {names.get(k, k): v for k, v in opts.items()}


# ---------------------------------------------------------------- losses
LOSS_FNS = {
    'mseLoss': F.mse_loss,
    'l1Loss': F.l1_loss,
    'binaryCrossEntropy': F.binary_cross_entropy,
    'bceWithLogits': F.binary_cross_entropy_with_logits,
    'crossEntropy': F.cross_entropy,
    'nllLoss': F.nll_loss,
}


def loss_case(name, fn, inp, target, reduction='mean', **tensor_opts):
    """One loss evaluation: value, and the gradient of value.sum() with respect to the input."""
    x = inp.clone().requires_grad_(True)
    kwargs = {k: v for k, v in snake(tensor_opts).items()}
    out = LOSS_FNS[fn](x, target, reduction=reduction, **kwargs)
    out.sum().backward()
    options = {'reduction': reduction}
    for k, v in tensor_opts.items():
        options[k] = tensor_entry(v) if isinstance(v, torch.Tensor) else v
    return {
        'name': name, 'fn': fn, 'input': tensor_entry(inp), 'target': tensor_entry(target), 'options': options,
        'value': flat(out), 'valueShape': list(out.shape), 'grad': flat(x.grad),
    }


def losses():
    cases = []
    reductions = ['mean', 'sum', 'none']
    pred = torch.randn(4, 3)
    tgt = torch.randn(4, 3)
    for r in reductions:
        cases.append(loss_case(f'mse {r}', 'mseLoss', pred, tgt, r))
        cases.append(loss_case(f'l1 {r}', 'l1Loss', pred, tgt, r))

    prob = torch.sigmoid(torch.randn(4, 3) * 2)
    soft = torch.rand(4, 3)
    bw = torch.rand(4, 3) + 0.5
    for r in reductions:
        cases.append(loss_case(f'bce {r}', 'binaryCrossEntropy', prob, soft, r))
        cases.append(loss_case(f'bce weight {r}', 'binaryCrossEntropy', prob, soft, r, weight=bw))

    logits = torch.randn(4, 3) * 3
    logits[0, 0] = 0.0  # the kink of |x| in the stable form
    logits[1, 1] = 40.0  # saturated
    hard = (torch.rand(4, 3) > 0.5).double()
    pos = torch.tensor([0.5, 2.0, 3.0])
    for r in reductions:
        cases.append(loss_case(f'bceWithLogits {r}', 'bceWithLogits', logits, hard, r))
        cases.append(loss_case(f'bceWithLogits posWeight {r}', 'bceWithLogits', logits, hard, r, posWeight=pos))

    z = torch.randn(5, 4) * 2
    y = torch.tensor([0, 3, 1, 1, 2])
    w = torch.tensor([0.5, 1.0, 2.0, 1.5])
    y_ign = torch.tensor([0, -100, 1, 3, -100])
    y_ign2 = torch.tensor([2, 3, 2, 1, 0])
    for r in reductions:
        cases.append(loss_case(f'crossEntropy {r}', 'crossEntropy', z, y, r))
        cases.append(loss_case(f'crossEntropy weight {r}', 'crossEntropy', z, y, r, weight=w))
        cases.append(loss_case(f'crossEntropy ignoreIndex {r}', 'crossEntropy', z, y_ign, r))
        cases.append(loss_case(f'crossEntropy ignoreIndex=2 {r}', 'crossEntropy', z, y_ign2, r, ignoreIndex=2))
        cases.append(loss_case(f'crossEntropy labelSmoothing {r}', 'crossEntropy', z, y, r, labelSmoothing=0.1))
        cases.append(loss_case(f'crossEntropy smoothing+weight+ignore {r}', 'crossEntropy', z, y_ign, r,
                               weight=w, labelSmoothing=0.2))
    big = torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -1000.0]])
    cases.append(loss_case('crossEntropy logits ±1000 mean', 'crossEntropy', big, torch.tensor([0, 2, 1]), 'mean'))
    cases.append(loss_case('crossEntropy logits ±1000 none', 'crossEntropy', big, torch.tensor([1, 2, 1]), 'none'))
    z3 = torch.randn(2, 4, 3)
    y3 = torch.tensor([[0, 3, 1], [2, -100, 1]])
    for r in reductions:
        cases.append(loss_case(f'crossEntropy 3-D {r}', 'crossEntropy', z3, y3, r))
        cases.append(loss_case(f'crossEntropy 3-D weight smoothing {r}', 'crossEntropy', z3, y3, r, weight=w,
                               labelSmoothing=0.1))

    lp = torch.log_softmax(torch.randn(5, 4), 1)
    lp3 = torch.log_softmax(z3, 1)
    for r in reductions:
        cases.append(loss_case(f'nllLoss {r}', 'nllLoss', lp, y, r))
        cases.append(loss_case(f'nllLoss weight ignore {r}', 'nllLoss', lp, y_ign, r, weight=w))
        cases.append(loss_case(f'nllLoss 3-D {r}', 'nllLoss', lp3, y3, r))
    return cases


# ---------------------------------------------------------------- optimisers
X = torch.randn(6, 3)
Y = torch.randn(6, 2)
W0 = torch.randn(3, 2)
B0 = torch.randn(2)
U0 = torch.randn(2)  # a parameter that never receives a gradient: must stay unchanged


def problem_loss(w, b):
    return ((X @ w + b - Y) ** 2).mean()


OPTIMS = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW, 'RMSprop': torch.optim.RMSprop}


def optim_case(name, cls, opts, groups=None, steps=5):
    w = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(True)
    u = U0.clone().requires_grad_(True)
    params = [w, b, u]
    if groups is None:
        spec = params
    else:
        spec = [{'params': [params[i] for i in g['params']], **snake({k: v for k, v in g.items() if k != 'params'})}
                for g in groups]
    opt = OPTIMS[cls](spec, **snake(opts))
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        problem_loss(w, b).backward()
        opt.step()
        traj.append({'w': flat(w), 'b': flat(b), 'u': flat(u)})
    return {'name': name, 'optimizer': cls, 'options': opts, 'groups': groups, 'trajectory': traj}


def optimisers():
    c = []
    c.append(optim_case('SGD plain', 'SGD', {'lr': 0.1}))
    c.append(optim_case('SGD momentum', 'SGD', {'lr': 0.1, 'momentum': 0.9}))
    c.append(optim_case('SGD momentum dampening', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.5}))
    c.append(optim_case('SGD nesterov', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}))
    c.append(optim_case('SGD weightDecay', 'SGD', {'lr': 0.1, 'weightDecay': 0.1}))
    c.append(optim_case('SGD nesterov weightDecay', 'SGD', {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'weightDecay': 0.01}))
    c.append(optim_case('SGD param groups', 'SGD', {'lr': 0.1},
                        groups=[{'params': [0]}, {'params': [1, 2], 'lr': 0.01, 'momentum': 0.9}]))
    c.append(optim_case('Adam plain', 'Adam', {'lr': 0.1}))
    c.append(optim_case('Adam betas eps', 'Adam', {'lr': 0.1, 'betas': [0.8, 0.99], 'eps': 1e-3}))
    c.append(optim_case('Adam weightDecay', 'Adam', {'lr': 0.1, 'weightDecay': 0.1}))
    c.append(optim_case('Adam amsgrad', 'Adam', {'lr': 0.1, 'betas': [0.9, 0.5], 'amsgrad': True}))
    c.append(optim_case('AdamW default decay', 'AdamW', {'lr': 0.1}))
    c.append(optim_case('AdamW decay amsgrad', 'AdamW', {'lr': 0.1, 'weightDecay': 0.1, 'betas': [0.9, 0.5], 'amsgrad': True}))
    c.append(optim_case('RMSprop plain', 'RMSprop', {'lr': 0.01}))
    c.append(optim_case('RMSprop alpha', 'RMSprop', {'lr': 0.01, 'alpha': 0.9}))
    c.append(optim_case('RMSprop momentum', 'RMSprop', {'lr': 0.01, 'momentum': 0.9}))
    c.append(optim_case('RMSprop centered', 'RMSprop', {'lr': 0.01, 'centered': True}))
    c.append(optim_case('RMSprop centered momentum weightDecay', 'RMSprop',
                        {'lr': 0.01, 'centered': True, 'momentum': 0.5, 'weightDecay': 0.1}))
    return c


# ---------------------------------------------------------------- schedules
LAMBDAS = {'inverse': lambda e: 1.0 / (e + 1), 'warmup': lambda e: min(1.0, (e + 1) / 4)}


def schedule_case(name, cls, opts, epochs=12, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p, ], lr=0.1)
    o = snake(opts)
    if cls == 'StepLR':
        s = torch.optim.lr_scheduler.StepLR(opt, step_size=o['stepSize'], gamma=o['gamma'])
    elif cls == 'ExponentialLR':
        s = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=o['gamma'])
    elif cls == 'CosineAnnealingLR':
        s = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=o['tMax'], eta_min=o['etaMin'])
    elif cls == 'LambdaLR':
        s = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=LAMBDAS[o['lrLambda']])
    elif cls == 'ReduceLROnPlateau':
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=o['mode'], factor=o['factor'], patience=o['patience'],
                                                       cooldown=o.get('cooldown', 0), min_lr=o.get('minLr', 0))
    lrs = [opt.param_groups[0]['lr']]
    for e in range(epochs):
        opt.step()
        if metrics is not None:
            s.step(metrics[e])
        else:
            s.step()
        lrs.append(opt.param_groups[0]['lr'])
    return {'name': name, 'scheduler': cls, 'options': opts, 'baseLr': 0.1, 'metrics': metrics, 'lrs': lrs}


def schedules():
    metrics = [1.0, 0.9, 0.95, 0.92, 0.91, 0.905, 0.9, 0.95, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76]
    return [
        schedule_case('StepLR', 'StepLR', {'stepSize': 3, 'gamma': 0.5}),
        schedule_case('ExponentialLR', 'ExponentialLR', {'gamma': 0.9}),
        schedule_case('CosineAnnealingLR', 'CosineAnnealingLR', {'tMax': 5, 'etaMin': 0.001}, epochs=16),
        schedule_case('LambdaLR inverse', 'LambdaLR', {'lrLambda': 'inverse'}),
        schedule_case('LambdaLR warmup', 'LambdaLR', {'lrLambda': 'warmup'}),
        schedule_case('ReduceLROnPlateau min', 'ReduceLROnPlateau', {'mode': 'min', 'factor': 0.5, 'patience': 2},
                      epochs=len(metrics), metrics=metrics),
        schedule_case('ReduceLROnPlateau max cooldown minLr', 'ReduceLROnPlateau',
                      {'mode': 'max', 'factor': 0.5, 'patience': 1, 'cooldown': 1, 'minLr': 0.02},
                      epochs=len(metrics), metrics=[-m for m in metrics]),
    ]


def main():
    problem = {'x': tensor_entry(X), 'y': tensor_entry(Y), 'w0': tensor_entry(W0), 'b0': tensor_entry(B0), 'u0': tensor_entry(U0)}
    data = {
        'generator': 'tools/make_nn_fixtures.py', 'torch': torch.__version__,
        'losses': losses(), 'optimProblem': problem, 'optimizers': optimisers(), 'schedules': schedules(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(data, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {OUT}: {len(data["losses"])} losses, {len(data["optimizers"])} optimisers, {len(data["schedules"])} schedules')


if __name__ == '__main__':
    main()
