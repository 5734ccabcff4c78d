"""Benchmark: batched activation maximization versus one unit and one restart at a time.

The same work, 10 z2 units x 8 restarts x 250 pixel-AM steps on the encoder of a randomly
initialized TDVAE (``tdvae_am.models.TDVAE()``), is run (a) as one batch, one forward and
one backward pass per step for all 80 chains, and (b) as 80 separate runs of one chain.
The loop is timed on a subset of its runs and extrapolated to all 80. On a shared
machine, each measurement is repeated and the fastest repeat is reported (as ``timeit``
does); the median is printed too.

The measured values and the machine go to ``--output`` (default: benchmarks/records/am_batching.json,
which docs/performance.md renders).

Usage: ``python benchmarks/am_batching.py [--threads 2] [--repeats 3] [--loop-runs 5] [--output FILE]``.
The last line reads ``batched S s loop L s speedup Rx``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from tdvae_am.am import run_am
from tdvae_am.machine import RECORD_DIR, write_record
from tdvae_am.models import TDVAE

ROOT = Path(__file__).resolve().parents[1]
# the original pixel-AM setting on the TDVAE (jitter 3, gradient filter 0.05, RMSprop 0.01)
CONFIG = {
    "parametrization": {"name": "pixel", "n_samples": 1},
    "shape": [40, 40],
    "steps": 250,
    "pre": [{"name": "jitter", "shift": 3}],
    "grad": [{"name": "fourier", "exponent": 0.05}],
    "optimizer": {"name": "rmsprop", "lr": 0.01},
}


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--restarts", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the batched run")
    parser.add_argument("--loop-runs", type=int, default=5, help="single-chain runs timed for the loop estimate")
    parser.add_argument("--output", type=Path, default=ROOT / RECORD_DIR / "am_batching.json", help="record")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = TDVAE().eval().requires_grad_(False)

    def activation(x: torch.Tensor) -> torch.Tensor:
        return model.posterior_moments(x, "z2")[0]

    units = list(range(args.units))
    n_chains = args.units * args.restarts
    steps = CONFIG["steps"]
    print(f"TDVAE encoder (random init), z2 units {units}, {args.restarts} restarts, {steps} pixel-AM steps, "
          f"{args.threads} threads")
    run_am(activation, units, {**CONFIG, "steps": 3}, n_restarts=args.restarts)       # warm-up

    batched_runs = [_timed(lambda: run_am(activation, units, CONFIG, n_restarts=args.restarts, seed=0))
                    for _ in range(args.repeats)]
    batched = min(batched_runs)
    print(f"batched: {n_chains} chains in one batch, one forward/backward per step: best of {args.repeats} "
          f"{batched:.2f} s ({1e3 * batched / steps:.1f} ms per step), median {statistics.median(batched_runs):.2f} s")

    loop_runs = [_timed(lambda k=k: run_am(activation, [units[k % len(units)]], CONFIG, n_restarts=1, seed=k))
                 for k in range(args.loop_runs)]
    loop = min(loop_runs) * n_chains
    print(f"loop: one unit and one restart at a time: timed {args.loop_runs} of the {n_chains} single-chain runs "
          f"(fastest {min(loop_runs):.2f} s, median {statistics.median(loop_runs):.2f} s per run) and "
          f"extrapolated to all {n_chains}: {loop:.1f} s "
          f"(median-based {statistics.median(loop_runs) * n_chains:.1f} s)")
    print(f"batched {batched:.2f} s loop {loop:.1f} s speedup {loop / batched:.1f}x")
    write_record(args.output, {"units": args.units, "restarts": args.restarts, "steps": steps, "batched_s": batched,
                               "loop_s": loop, "speedup": loop / batched}, args.threads)


if __name__ == "__main__":
    main()
