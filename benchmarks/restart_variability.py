"""Measurement: how much the restarts of each registry run differ, to decide where restarts buy
anything (the registry's per-experiment ``restarts``).

Every TDVAE run of ``config/experiments.yaml`` is run on a trained model's studied units with
``--restarts`` restarts (whatever the registry sets), capped at ``--max-steps`` iterations and
``--max-samples`` samples, and two numbers are printed per run: the shift-invariant restart
variability of the images (1 - mean pairwise maximal cross-correlation; 0: every restart found
the same image) and the spread of the final activation across restarts (std over the mean
absolute activation). The last line counts the runs whose restarts are identical (variability
below ``--identical``).

Usage: ``python benchmarks/restart_variability.py results/models/tdvae/model.pt results/units.json
[--restarts 3] [--max-steps N] [--max-samples N] [--threads 2]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from tdvae_am.experiments.registry import all_runs, load_registry, resolve_run
from tdvae_am.experiments.study import load_study, run_experiment
from tdvae_am.scorecard.evidence import shift_invariant_variability

REGISTRY = Path(__file__).resolve().parents[1] / "config/experiments.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a trained model (results/models/tdvae/model.pt)")
    parser.add_argument("units", help="its studied units (results/units.json)")
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--max-samples", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--identical", type=float, default=1e-3, help="variability below which restarts count as "
                                                                       "identical")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    registry = load_registry(REGISTRY)
    model, units = load_study(args.model, args.units)
    caps = {"max_steps": args.max_steps, "max_samples": args.max_samples}
    print(f"{'run':45s} {'variability':>11s} {'act. spread':>11s}")
    identical = 0
    runs = all_runs(registry, "tdvae")
    for run in runs:
        result = run_experiment(model, resolve_run(registry, *run, caps=caps), units, restarts=args.restarts, seed=0)
        variability = float(np.nanmean(shift_invariant_variability(result.images[:, :, 0])))
        final = np.asarray(result.summary["final_activation"])
        spread = float(np.mean(final.std(1) / np.maximum(np.abs(final.mean(1)), 1e-9)))
        identical += variability < args.identical
        print(f"{'/'.join(run):45s} {variability:11.4f} {spread:11.4f}", flush=True)
    print(f"runs {len(runs)} identical restarts {identical} (variability < {args.identical:g})")


if __name__ == "__main__":
    main()
