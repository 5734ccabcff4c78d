"""Flat metrics of the unit classification (for DVC) from the per-model results."""

from __future__ import annotations


def _accuracies(decoders: dict) -> dict:
    return {k: {"accuracy": d["accuracy"], "chance": d["chance"], "ci_bootstrap": d["ci_bootstrap"]}
            for k, d in decoders.items()}


def units_metrics(results: dict[str, dict]) -> dict:
    """Active-unit counts, class sizes and decoding accuracies (with chance and bootstrap interval) per model."""
    return {
        model: {
            "n_active": r["n_active"],
            "n_active_untrained": r["n_active_untrained"],
            "threshold_nats": r["threshold"],
            "candidates": r["candidates"],
            "fallback": r["fallback"],
            "decoding": _accuracies(r["decoding"]),
            "decoding_phase": _accuracies(r["decoding_phase"]),
        }
        for model, r in results.items()
    }
