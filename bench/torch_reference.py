"""PyTorch reference for the training and inference benchmarks.

The same network as the TypeScript pipeline (nn.LSTM with dropout between layers,
then Linear on the last hidden state), AdamW, MSE, timed on the same windows the
TypeScript benchmark wrote to a file. Prints one JSON object.

  /usr/bin/python3 bench/torch_reference.py train --data windows.f32 --labels labels.f32 \
      --count N --seq 120 --features 9 --hidden 128 --layers 2 --batch 64 --warmup 1
  /usr/bin/python3 bench/torch_reference.py predict --seq 120 --features 9 --hidden 128 --layers 2 --repeats 200 \
      [--threads 1]
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn
from torch_build import torch_build


class Forecaster(nn.Module):
    def __init__(self, features: int, hidden: int, layers: int, dropout: float):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def train(args) -> dict:
    x = np.fromfile(args.data, dtype=np.float32).reshape(args.count, args.seq, args.features)
    y = np.fromfile(args.labels, dtype=np.float32).reshape(args.count, 1)
    model = Forecaster(args.features, args.hidden, args.layers, 0.2)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    loss_fn = nn.MSELoss()
    batches = [(torch.from_numpy(x[i : i + args.batch]), torch.from_numpy(y[i : i + args.batch])) for i in range(0, args.count, args.batch)]

    def step(bx, by):
        optimizer.zero_grad()
        loss = loss_fn(model(bx), by)
        loss.backward()
        optimizer.step()

    for bx, by in batches[: args.warmup]:
        step(bx, by)
    timed = batches[args.warmup :]
    start = time.perf_counter()
    for bx, by in timed:
        step(bx, by)
    seconds = time.perf_counter() - start
    windows = sum(len(bx) for bx, _ in timed)
    return {"sequences_per_second": windows / seconds, "windows": windows, "seconds": seconds}


def predict(args) -> dict:
    model = Forecaster(args.features, args.hidden, args.layers, 0.2).eval()
    window = torch.rand(1, args.seq, args.features) * 2 - 1
    latencies = []
    with torch.no_grad():
        for _ in range(10):
            model(window)
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            model(window)
            latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return {
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "repeats": args.repeats,
    }



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["train", "predict"])
    parser.add_argument("--data")
    parser.add_argument("--labels")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--seq", type=int, default=120)
    parser.add_argument("--features", type=int, default=9)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads; 0 keeps torch's default")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    result = train(args) if args.mode == "train" else predict(args)
    result.update(torch_build())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
