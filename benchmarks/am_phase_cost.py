"""Benchmark: the compute of the AM phase, estimated run by run from the experiment registry.

Every run of ``config/experiments.yaml`` is timed on a randomly initialized model of each kind it
runs on (the cost of an AM step does not depend on the weights), with the default number of
studied units (every candidate of both classes in results/units.json) and each run's restarts,
for ``--steps`` and for 3 x ``--steps`` iterations: the difference gives the cost of one
iteration, the rest the fixed cost (set-up, the jitter-averaged evaluation), and the run's
estimate is fixed + iterations x per-iteration cost. The sum is the AM phase's compute inside
the runs, without the jobs' start-up and the reference measurements.

Usage: ``python benchmarks/am_phase_cost.py [--threads 2] [--steps 8] [--only EXPERIMENT ...]``.
The last line reads ``runs N estimated M min`` followed by the minutes per model.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from tdvae_am.experiments.registry import all_runs, load_registry, registry_models, resolve_run, run_restarts
from tdvae_am.experiments.study import run_experiment
from tdvae_am.models import TDVAE, ChainVAE

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "config/experiments.yaml"
MODELS = {"tdvae": TDVAE, "chain": ChainVAE}


def timed_run(model, registry: dict, run: tuple, steps: int, units: list, restarts: int) -> float:
    """Seconds of one run capped at ``steps`` iterations, with the run's own restarts
    (:func:`run_restarts`, ``restarts`` where the registry sets none)."""
    resolved = resolve_run(registry, *run, caps={"max_steps": steps})
    start = time.perf_counter()
    run_experiment(model, resolved, units, restarts=run_restarts(registry, *run, restarts), seed=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--units", type=int, default=None,
                        help="studied units per run (default: the candidates of both classes in results/units.json)")
    parser.add_argument("--restarts", type=int, default=3, help="restarts of runs whose experiment sets none")
    parser.add_argument("--steps", type=int, default=8, help="iterations of the shorter timing")
    parser.add_argument("--only", nargs="*", default=None, help="experiments to time (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    registry = load_registry(REGISTRY)
    if args.units is None:
        candidates = json.loads((ROOT / "results/units.json").read_text())["candidates"]
        args.units = candidates["texture_sensitive"] + candidates["non_texture_sensitive"]
    units = list(range(args.units))
    minutes = {}
    for name in registry_models(registry):
        model = MODELS[name]().eval()
        timed_run(model, registry, all_runs(registry, name)[0], 1, units, args.restarts)  # warm-up
        for run in all_runs(registry, name):
            if args.only and run[0] not in args.only:
                continue
            steps = resolve_run(registry, *run)["am"].get("steps", 0)
            short, long = min(args.steps, steps), min(3 * args.steps, steps)
            t_short = timed_run(model, registry, run, short, units, args.restarts)
            t_long = timed_run(model, registry, run, long, units, args.restarts) if long > short else t_short
            per_step = max(t_long - t_short, 0.0) / (long - short) if long > short else 0.0
            estimate = max(t_short - short * per_step, 0.0) + steps * per_step
            minutes[(name, *run)] = estimate / 60
            print(f"{name:6s} {run[0]:28s} {run[1]:28s} {steps:5d} steps {1e3 * per_step:8.1f} ms/step "
                  f"{estimate / 60:6.2f} min", flush=True)
    per_model = " ".join(f"{m} {sum(v for k, v in minutes.items() if k[0] == m):.1f}" for m in MODELS)
    print(f"runs {len(minutes)} estimated {sum(minutes.values()):.1f} min ({per_model})")


if __name__ == "__main__":
    main()
