"""PyTorch eager peer: median latency of a zoo twin at given batch sizes.

  /usr/bin/python3 tests/bench/torch_bench.py MODEL --batches 1,8,64 --threads 2 --runs 20
Prints one JSON object per batch (engine, model, batch, median_ms, images_per_s).
Run it with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread: Debian's
torch takes its BLAS from libblas.so.3, and the reference netlib BLAS makes
ConvTranspose2d several times slower than OpenBLAS would.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_models  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(peer_models.ZOO))
    ap.add_argument("--batches", default="1,8,64")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    model, latent = peer_models.make(a.model)
    blas = "openblas" if "openblas" in os.environ.get("LD_LIBRARY_PATH", "") else "default"
    with torch.inference_mode():
        for batch in map(int, a.batches.split(",")):
            z = torch.randn(batch, *latent)
            for _ in range(a.warmup):
                model(z)
            times = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                model(z)
                times.append((time.perf_counter() - t0) * 1e3)
            med = statistics.median(times)
            print(json.dumps({"engine": "torch", "blas": blas, "model": a.model, "batch": batch,
                              "threads": a.threads, "median_ms": med,
                              "images_per_s": batch / med * 1e3}), flush=True)


if __name__ == "__main__":
    main()
