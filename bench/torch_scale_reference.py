"""PyTorch reference for the shared scale network's training benchmark (bench/train-scale.ts).

A self-contained copy of what one training epoch of ../research/scale-net runs (net.py's ScaleNet and
train_scale_net, dist.py's Student-t CRPS): nn.LSTM(channels, hidden) over the last hours, a Linear(hidden, 1)
head on the last hidden state started at zero, a Linear(inputs, 1) term on the standardised inputs started at
the linear start (zeros here, as in research's bench.py), the loss the mean CRPS of the unit-variance
Student-t (nu 5) with sigma = sigma_B1 x exp(log_scale), over sigma_B1; AdamW, shuffled batches, the
validation loss after every epoch, a fixed number of epochs (no early stop). Reads the arrays the TypeScript
bench wrote (float32, row-major) and prints one JSON object: training sequences per second of each epoch
(the training loop only, as net.py times it) and the wall time of all epochs with validation.

  /usr/bin/python3 bench/torch_scale_reference.py --dir DIR --train 14256 --val 3564 --hours 48 \
      --channels 2 --inputs 11 --hidden 32 --batch 256 --epochs 5 [--lr 2e-3] [--seed 0] [--threads 1]
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np
import torch
from torch import nn
from torch_build import torch_build

# The unit-variance Student-t with nu = 5 (research's dist.py): Z = T sqrt((nu - 2) / nu), T a standard t5.
NU = 5.0
S_T5 = math.sqrt((NU - 2) / NU)
SQRT5 = math.sqrt(NU)
T5_PDF_C = 8.0 / (3.0 * math.pi * SQRT5)  # Gamma(3) / (Gamma(5/2) sqrt(5 pi))


def _logbeta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


T5_CRPS_C = 2 * math.sqrt(NU) * math.exp(_logbeta(0.5, NU - 0.5) - 2 * _logbeta(0.5, NU / 2)) / (NU - 1)


def t5_crps_unit(z):
    """CRPS of the unit-variance t5 at the standardised outcome z (closed-form CDF, no special functions)."""
    t = z / S_T5
    th = torch.atan(t / SQRT5)
    c = torch.cos(th)
    cdf = 0.5 + (th + torch.sin(th) * c * (1 + 2.0 / 3.0 * c * c)) / math.pi
    pdf = T5_PDF_C * (1 + t * t / NU) ** -3
    return S_T5 * (t * (2 * cdf - 1) + 2 * pdf * (NU + t * t) / (NU - 1) - T5_CRPS_C)


def scale_free_crps(log_scale, u):
    """CRPS of sigma_B1 e^log_scale at y, over sigma_B1 (u = y / sigma_B1)."""
    e = torch.exp(log_scale)
    return e * t5_crps_unit(u / e)


class ScaleNet(nn.Module):
    def __init__(self, channels, inputs, hidden):
        super().__init__()
        self.rnn = nn.LSTM(channels, hidden, batch_first=True)  # PyTorch's init: U(+-1/sqrt(H))
        self.head = nn.Linear(hidden, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.lin = nn.Linear(inputs, 1)
        nn.init.zeros_(self.lin.weight)
        nn.init.zeros_(self.lin.bias)

    def forward(self, seq, z):
        out, _ = self.rnn(seq)
        return self.lin(z)[:, 0] + self.head(out[:, -1])[:, 0]


def load(args, split, count):
    read = lambda name, shape: torch.from_numpy(  # noqa: E731
        np.fromfile(os.path.join(args.dir, f"{split}_{name}.f32"), dtype=np.float32).reshape(shape)
    )
    return (
        read("seq", (count, args.hours, args.channels)),
        read("z", (count, args.inputs)),
        read("u", (count,)),
    )


@torch.no_grad()
def val_loss(model, seq, z, u, batch=4096):
    model.eval()
    out = torch.cat([model(seq[i : i + batch], z[i : i + batch]) for i in range(0, len(u), batch)])
    return float(scale_free_crps(out, u).mean())


def train(args):
    seq_tr, z_tr, u_tr = load(args, "train", args.train)
    seq_va, z_va, u_va = load(args, "val", args.val)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = ScaleNet(args.channels, args.inputs, args.hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    n = args.train
    started = time.perf_counter()
    val_loss(model, seq_va, z_va, u_va)
    per_epoch = []
    losses = []
    for _ in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, args.batch):
            b = perm[i : i + args.batch]
            loss = scale_free_crps(model(seq_tr[b], z_tr[b]), u_tr[b]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(b)
        per_epoch.append(n / (time.perf_counter() - t0))
        losses.append({"train": total / n, "val": val_loss(model, seq_va, z_va, u_va)})
    return {
        "sequences_per_second": statistics.median(per_epoch),
        "epochs_sequences_per_second": per_epoch,
        "wall_seconds": time.perf_counter() - started,
        "losses": losses,
    }



def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--train", type=int, required=True)
    parser.add_argument("--val", type=int, required=True)
    parser.add_argument("--hours", type=int, default=48)
    parser.add_argument("--channels", type=int, default=2)
    parser.add_argument("--inputs", type=int, default=11)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    result = train(args)
    result.update(torch_build())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
