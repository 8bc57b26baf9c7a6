"""PyTorch peer for `npm run bench`: `/usr/bin/python3 bench/torch_bench.py '<ChildConfig json>'`.

Runs the same cases as bench/tsgrad-bench.ts and bench/tfjs-bench.ts (names and sizes
come from the config that bench/run.ts sends) and prints `@@bench <json>` lines.
run.ts starts it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
environment, since on this machine they halve OpenBLAS's speed.
"""
import ctypes
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
torch.set_num_threads(2)
torch.manual_seed(0)
BATCH_TRAIN, BATCH_INFER, LR = 128, 256, 1e-3


def emit(msg):
    sys.stdout.write("@@bench " + json.dumps(msg) + "\n")
    sys.stdout.flush()


def blas_info():
    """Which BLAS the process really maps after a matmul, plus OpenBLAS's own report when it is OpenBLAS."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if "blas" in path.lower() or "lapack" in path.lower() or "mkl" in os.path.basename(path).lower():
                libs.add(os.path.realpath(path))
    info = {"libraries": sorted(libs)}
    for lib in sorted(libs):
        if "openblas" not in lib and "libblas" not in lib:
            continue
        try:
            h = ctypes.CDLL(lib)
            h.openblas_get_config.restype = ctypes.c_char_p
            h.openblas_get_corename.restype = ctypes.c_char_p
            info["openblas"] = {
                "config": h.openblas_get_config().decode(),
                "core": h.openblas_get_corename().decode(),
                "threads": h.openblas_get_num_threads(),
            }
            break
        except (OSError, AttributeError):
            continue
    config = torch.__config__.show()
    info["torch_config"] = [l.strip() for l in config.splitlines() if "BLAS" in l or "MKL" in l or "CPU capability" in l]
    return info


def measure(name, step):
    w0 = time.perf_counter()
    warm = 0
    while True:
        s = time.perf_counter()
        step()
        last = time.perf_counter() - s
        warm += 1
        if warm >= cfg["warmupMax"] or time.perf_counter() - w0 >= cfg["warmupSeconds"]:
            break
    emit({"kind": "warm", "case": name, "seconds": time.perf_counter() - w0, "stepSeconds": last})
    times = []
    t0 = prev = time.perf_counter()
    while True:
        step()
        t = time.perf_counter()
        times.append(t - prev)
        prev = t
        if prev - t0 >= cfg["seconds"]:
            break
    return times


def result(name, work, unit, times):
    """The figure by the median step (as bench/timing.ts), the mean beside it."""
    times_sorted = sorted(times)
    mid = len(times) // 2
    median = times_sorted[mid] if len(times) % 2 else (times_sorted[mid - 1] + times_sorted[mid]) / 2
    emit({"kind": "result", "result": {
        "case": name, "value": work / median, "mean": work * len(times) / sum(times), "unit": unit,
        "iters": len(times), "seconds": sum(times),
    }})


def sgemm(name, n):
    a, b = torch.rand(n, n), torch.rand(n, n)
    out = torch.empty(n, n)
    result(name, 2 * n**3 / 1e9, "GFLOP/s", measure(name, lambda: torch.mm(a, b, out=out)))


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def keras_mnist_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10),
    )


class DnaCnn(nn.Module):
    """One-hot DNA [b, 4, 200]: Conv1d 32 × 12 relu, global max pool, Dense 32 relu, Dense 1 (a logit)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 32, 12)
        self.fc1 = nn.Linear(32, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        h = F.relu(self.conv(x)).amax(dim=2)
        return self.fc2(F.relu(self.fc1(h)))


class NeuMF(nn.Module):
    """NCF's NeuMF as tsgrad's nn.models.NeuMF: GMF (8 factors) and an MLP tower 64-32-16-8 on their own embeddings."""

    def __init__(self, users, items, factors=8, layers=(64, 32, 16, 8)):
        super().__init__()
        self.gu, self.gi = nn.Embedding(users, factors), nn.Embedding(items, factors)
        self.mu, self.mi = nn.Embedding(users, layers[0] // 2), nn.Embedding(items, layers[0] // 2)
        for e in (self.gu, self.gi, self.mu, self.mi):
            nn.init.normal_(e.weight, std=0.01)
        tower = []
        for a, b in zip(layers[:-1], layers[1:]):
            tower += [nn.Linear(a, b), nn.ReLU()]
        self.tower = nn.Sequential(*tower)
        self.predict = nn.Linear(factors + layers[-1], 1)

    def forward(self, x):
        u, i = x[:, 0], x[:, 1]
        g = self.gu(u) * self.gi(i)
        m = self.tower(torch.cat([self.mu(u), self.mi(i)], dim=1))
        return self.predict(torch.cat([g, m], dim=1))


def ncf_train(name):
    b = 256
    x = torch.stack([torch.randint(0, 6040, (b,)), torch.randint(0, 3706, (b,))], dim=1)
    model = NeuMF(6040, 3706).train()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    y = torch.randint(0, 2, (b, 1)).float()

    def step():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    result(name, b, "interactions/s", measure(name, step))


def train(name, model, x, y, loss_fn):
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    result(name, x.shape[0], "images/s", measure(name, step))


def cnn_infer(name):
    model = keras_mnist_cnn().eval()
    x = torch.rand(BATCH_INFER, 1, 28, 28)

    def step():
        with torch.no_grad():
            model(x).sum().item()

    result(name, BATCH_INFER, "images/s", measure(name, step))


class UNet(nn.Module):
    """tsgrad's nn.models.UNet: `depth` levels of (conv 3×3 + ReLU)×2 and a max pool (width doubling),
    a bottleneck, as many transposed-convolution levels joined by skip connections, a 1×1 head."""

    def __init__(self, classes=11, w=12, depth=2):
        super().__init__()

        def units(*ch):
            layers = []
            for a, b in zip(ch[:-1], ch[1:]):
                layers += [nn.Conv2d(a, b, 3, padding=1), nn.ReLU()]
            return nn.Sequential(*layers)

        widths = [w * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList([units(1 if i == 0 else widths[i - 1], c, c) for i, c in enumerate(widths[:depth])])
        self.bottom = units(widths[depth - 1], widths[depth], widths[depth])
        self.up = nn.ModuleList([nn.ConvTranspose2d(widths[i + 1], c, 2, stride=2) for i, c in enumerate(widths[:depth])])
        self.dec = nn.ModuleList([units(2 * c, c) for c in widths[:depth]])
        self.head = nn.Conv2d(w, classes, 1)

    def forward(self, x):
        skips = []
        for level in self.down:
            x = level(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottom(x)
        for i in reversed(range(len(self.down))):
            x = self.dec[i](torch.cat([self.up[i](x), skips[i]], 1))
        return self.head(x)


def decoder():
    return nn.Sequential(
        nn.ConvTranspose2d(32, 16, 2, stride=2), nn.ReLU(), nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.PixelShuffle(2),
    )


def dna_batch(b):
    idx = torch.randint(0, 4, (b, 200))
    return F.one_hot(idx, 4).float().permute(0, 2, 1).contiguous()


CASES = {
    "mlp-train": lambda n: train(n, mlp(), torch.rand(BATCH_TRAIN, 784), torch.randint(0, 10, (BATCH_TRAIN,)), F.cross_entropy),
    "cnn-train": lambda n: train(
        n, keras_mnist_cnn(), torch.rand(BATCH_TRAIN, 1, 28, 28), torch.randint(0, 10, (BATCH_TRAIN,)), F.cross_entropy
    ),
    "cnn-infer": cnn_infer,
    "dna-train": lambda n: train(
        n, DnaCnn(), dna_batch(BATCH_TRAIN), torch.randint(0, 2, (BATCH_TRAIN, 1)).float(), F.binary_cross_entropy_with_logits
    ),
    "ncf-train": ncf_train,
    "upsample-train": lambda n: train(n, decoder(), torch.rand(64, 32, 7, 7), torch.rand(64, 4, 56, 56), F.mse_loss),
    "unet-train": lambda n: train(n, UNet(), torch.rand(32, 1, 48, 48), torch.randint(0, 11, (32, 48, 48)), F.cross_entropy),
}

emit({"kind": "info", "info": {
    "framework": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
    "python": sys.executable, "env_OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    "env_OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"), "blas": blas_info(),
}})
for name in cfg["cases"]:
    emit({"kind": "start", "case": name})
    if name.startswith("sgemm-"):
        sgemm(name, int(name.split("-")[1]))
    elif name in CASES:
        CASES[name](name)
    else:
        emit({"kind": "cannot", "case": name, "reason": "not implemented by this child"})
