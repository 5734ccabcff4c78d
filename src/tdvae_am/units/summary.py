"""Flat metrics of the unit classification (for DVC) from the per-model results."""

from __future__ import annotations


def units_metrics(results: dict[str, dict]) -> dict:
    """Active-unit counts and decoding accuracies (with chance and bootstrap interval) per model."""
    return {
        model: {
            "n_active": r["n_active"],
            "n_active_untrained": r["n_active_untrained"],
            "fallback": r["fallback"],
            "decoding": {
                k: {"accuracy": d["accuracy"], "chance": d["chance"], "ci_bootstrap": d["ci_bootstrap"]}
                for k, d in r["decoding"].items()
            },
        }
        for model, r in results.items()
    }
