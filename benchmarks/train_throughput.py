"""Training throughput of the TDVAE on CPU against a dense-matmul bound measured in the same run.

The full training step (batch sampling, ELBO, backward, Adam, logging bookkeeping and the
small validation pass at each log) is timed by the trainer itself (``samples_per_s`` of
``metrics.csv``, total samples over total time). The bound is the time of the matrix
products of one step at the same shapes (best of several runs, before and after
training): for each Linear, ``addmm(b, X, W^T)`` forward and ``G W`` and ``G^T X``
backward, 3x the forward FLOPs. Autograd skips ``G W`` of the first layer (the input
needs no gradient); the ratio to that exact set of products is printed as well.

The optimizer step alone (fused Adam over the model's parameters and their last gradients,
best of several runs) is memory-bound work that no matmul bound counts; the ceiling
``bound / (bound + optimizer)`` is the highest ratio any step could reach on this machine
with its matmuls exactly at the bound and nothing else but the optimizer. The last line
reads ``samples/s S bound B ratio R``.

With ``--precision bf16`` the trainer runs bf16 autocast; the bound (and the ceiling) stay
those of the fp32 products, and the same products timed in bf16 are printed beside them.

The measured values and the machine go to ``--output`` (default:
benchmarks/records/train_throughput_<precision>.json, which docs/performance.md renders).

Usage: ``python benchmarks/train_throughput.py [--threads 2] [--batch 256] [--steps 60] [--precision fp32]
[--output FILE]``
"""

import argparse
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from tdvae_am.machine import RECORD_DIR, write_record
from tdvae_am.train.loop import Trainer

WARMUP = 10  # untimed steps
RECORDS = Path(__file__).resolve().parents[1] / RECORD_DIR


def best_seconds(fn, repeats: int) -> float:
    """Fastest of ``repeats`` timed calls of ``fn`` after one untimed call."""
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def matmul_seconds(
    model: nn.Module, batch: int, repeats: int, dtype: torch.dtype = torch.float32
) -> tuple[float, float]:
    """Best time of the forward and backward matmuls of one step in ``dtype``, and of the first layer's ``G W``."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    args = [
        (m.bias.detach().to(dtype, copy=True), m.weight.detach().to(dtype, copy=True),
         torch.randn(batch, m.in_features, dtype=dtype), torch.randn(batch, m.out_features, dtype=dtype))
        for m in linears
    ]  # fmt: skip

    def once():
        for b, w, x, g in args:
            torch.addmm(b, x, w.t())
            torch.mm(g, w)
            torch.mm(g.t(), x)

    def first_input_grad():
        torch.mm(args[0][3], args[0][1])

    return best_seconds(once, repeats), best_seconds(first_input_grad, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=60, help="timed steps (after the warm-up steps)")
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--output", type=Path, help="record file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    n = args.batch * 32
    data = torch.randn(n, 40, 40)
    config = {
        "steps": WARMUP + args.steps, "batch_size": args.batch, "log_every": args.log_every, "checkpoint_every": 10**9,
        "val_size": 64, "device": "cpu", "num_threads": args.threads, "progress": False, "warmup_end": 10**6,
        "precision": args.precision,
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as out:
        trainer = Trainer({"name": "tdvae"}, data, data[:64], out, config)
        before = matmul_seconds(trainer.model, args.batch, repeats=5)
        trainer.run(until=WARMUP)
        trainer.run()
        rows = [r for r in trainer.metrics.rows() if int(r["step"]) > WARMUP]
        after = matmul_seconds(trainer.model, args.batch, repeats=5)
        adam = best_seconds(trainer.optimizer.step, repeats=5)  # with the last step's gradients
        if args.precision == "bf16":
            bf16_bound = matmul_seconds(trainer.model, args.batch, repeats=5, dtype=torch.bfloat16)[0]
    bound, skipped = min(before[0], after[0]), min(before[1], after[1])

    steps = [int(r["step"]) for r in rows]
    intervals = [b - a for a, b in zip([WARMUP, *steps[:-1]], steps)]
    seconds = sum(k * args.batch / float(r["samples_per_s"]) for k, r in zip(intervals, rows))
    rate = sum(intervals) * args.batch / seconds
    bound_rate = args.batch / bound
    flops = 6 * sum(m.weight.numel() for m in trainer.model.modules() if isinstance(m, nn.Linear))
    ceiling = bound / (bound + adam)
    m = {
        "precision": args.precision, "batch": args.batch, "timed_steps": sum(intervals),
        "step_ms": seconds / sum(intervals) * 1e3, "bound_ms": bound * 1e3, "mflop_per_sample": flops / 1e6,
        "gflop_per_s": flops * args.batch / bound / 1e9, "ratio_autograd": rate / (args.batch / (bound - skipped)),
        "optimizer_ms": adam * 1e3, "ceiling": ceiling, "reached": rate / bound_rate / ceiling,
        "samples_per_s": rate, "bound_samples_per_s": bound_rate, "ratio": rate / bound_rate,
    }  # fmt: skip
    if args.precision == "bf16":
        m["bf16_bound_ms"] = bf16_bound * 1e3
    print(f"threads {args.threads} batch {args.batch} timed steps {m['timed_steps']}")
    print(f"step {m['step_ms']:.1f} ms, matmul bound {m['bound_ms']:.1f} ms "
          f"({m['gflop_per_s']:.0f} GFLOP/s, {m['mflop_per_sample']:.0f} MFLOP per sample)")  # fmt: skip
    if args.precision == "bf16":
        print(f"precision bf16: the same products in bf16 take {m['bf16_bound_ms']:.1f} ms "
              f"({bound / bf16_bound:.2f}x the fp32 speed); the bound below stays the fp32 one")  # fmt: skip
    print(f"ratio to the products autograd runs (without the first layer's input gradient) {m['ratio_autograd']:.3f}")
    print(f"optimizer step {m['optimizer_ms']:.1f} ms ({adam / bound:.3f} of the bound); ceiling with the matmuls at "
          f"the bound plus the optimizer alone: ratio {ceiling:.3f}, reached {m['reached']:.3f} of it")
    print(f"samples/s {rate:.1f} bound {bound_rate:.1f} ratio {m['ratio']:.3f}")
    write_record(args.output or RECORDS / f"train_throughput_{args.precision}.json", m, args.threads)

if __name__ == "__main__":
    main()
