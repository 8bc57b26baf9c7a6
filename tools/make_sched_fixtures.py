#!/usr/bin/python3
"""Generates test/fixtures/schedulers.json: PyTorch's learning-rate (and momentum) sequences for
LinearLR, OneCycleLR and SequentialLR, and the results of clip_grad_norm_ / clip_grad_value_.

Run with Debian's interpreter (torch 1.13): /usr/bin/python3 tools/make_sched_fixtures.py

Each schedule case records the lr of every parameter group (and OneCycleLR's momentum or β1)
right after construction and after each of `steps` calls of scheduler.step().
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'schedulers.json')
S = torch.optim.lr_scheduler


def run(name, make_opt, make_sched, steps, opts):
    p = torch.nn.Parameter(torch.zeros(2))
    opt = make_opt([p])
    sched = make_sched(opt)

    def momentum():
        g = opt.param_groups[0]
        return g['betas'][0] if 'betas' in g else g.get('momentum')

    lrs, moms = [opt.param_groups[0]['lr']], [momentum()]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]['lr'])
        moms.append(momentum())
    return {'name': name, 'optimizer': 'adam' if isinstance(opt, torch.optim.Adam) else 'sgd', 'opts': opts, 'lrs': lrs, 'momentum': moms}


SGD = lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)
ADAM = lambda ps: torch.optim.Adam(ps, lr=0.1)
cases = [
    run('LinearLR', SGD, lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4), 8,
        {'startFactor': 0.25, 'endFactor': 1.0, 'totalIters': 4}),
    run('LinearLR', SGD, lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=3), 5,
        {'startFactor': 1.0, 'endFactor': 0.1, 'totalIters': 3}),
    run('OneCycleLR', SGD, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=20), 20, {'maxLr': 0.1, 'totalSteps': 20}),
    run('OneCycleLR', ADAM, lambda o: S.OneCycleLR(o, max_lr=0.05, epochs=3, steps_per_epoch=4, pct_start=0.25,
                                                    anneal_strategy='linear', div_factor=10, final_div_factor=100), 12,
        {'maxLr': 0.05, 'epochs': 3, 'stepsPerEpoch': 4, 'pctStart': 0.25, 'annealStrategy': 'linear', 'divFactor': 10,
         'finalDivFactor': 100}),
    run('OneCycleLR', SGD, lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=15, three_phase=True), 15,
        {'maxLr': 0.2, 'totalSteps': 15, 'threePhase': True}),
    run('SequentialLR', SGD, lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=3),
                                                          S.CosineAnnealingLR(o, T_max=5)], milestones=[3]), 10,
        {'schedulers': [['LinearLR', {'startFactor': 0.1, 'totalIters': 3}], ['CosineAnnealingLR', {'tMax': 5}]], 'milestones': [3]}),
    run('SequentialLR', SGD, lambda o: S.SequentialLR(o, [S.ExponentialLR(o, gamma=0.9), S.StepLR(o, step_size=2, gamma=0.5)],
                                                      milestones=[4]), 9,
        {'schedulers': [['ExponentialLR', {'gamma': 0.9}], ['StepLR', {'stepSize': 2, 'gamma': 0.5}]], 'milestones': [4]}),
]

clips = []
torch.manual_seed(0)
grads = [torch.randn(3, 4), torch.randn(5)]
for kind, arg, norm_type in [('norm', 1.0, 2.0), ('norm', 0.5, float('inf')), ('norm', 2.0, 1.0), ('norm', 100.0, 2.0),
                             ('value', 0.3, None)]:
    ps = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    total = None
    if kind == 'norm':
        total = float(torch.nn.utils.clip_grad_norm_(ps, arg, norm_type))
    else:
        torch.nn.utils.clip_grad_value_(ps, arg)
    clips.append({'kind': kind, 'arg': arg, 'normType': 'inf' if norm_type == float('inf') else norm_type,
                  'grads': [g.reshape(-1).tolist() for g in grads], 'shapes': [list(g.shape) for g in grads],
                  'total': total, 'clipped': [p.grad.reshape(-1).tolist() for p in ps]})

with open(OUT, 'w') as f:
    json.dump({'generator': 'tools/make_sched_fixtures.py', 'torch': torch.__version__, 'schedules': cases, 'clips': clips}, f)
print(f'wrote {len(cases)} schedules and {len(clips)} clip cases to {OUT}')
